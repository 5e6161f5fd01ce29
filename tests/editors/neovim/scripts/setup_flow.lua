-- The lazy.nvim way: put the plugin on 'runtimepath' after start-up and call
-- require('faultlore').setup(opts). arg[1] is the log to open, arg[2] a signature id
-- whose severity the settings turn into a hint, arg[3] `legacy` to take the path
-- Neovim 0.10 takes. Fails unless the log gets a faultlore hint with that id.
local log, signature, legacy = arg[1], arg[2], arg[3] == 'legacy'

if legacy then
  local has = vim.fn.has
  vim.fn.has = function(feature)
    return feature == 'nvim-0.11' and 0 or has(feature)
  end
end

vim.opt.runtimepath:append(vim.env.FAULTLORE_PLUGIN_DIR)
require('faultlore').setup({
  settings = { faultlore = { severity = { [signature] = 'hint' } } },
})
if legacy and vim.lsp.is_enabled('faultlore') then
  error('the 0.10 path must not call vim.lsp.enable', 0)
end

vim.cmd.edit(vim.fn.fnameescape(log))
local buf = vim.api.nvim_get_current_buf()
if vim.bo[buf].filetype ~= 'log' then
  error(('%s has filetype %q, not log'):format(log, vim.bo[buf].filetype), 0)
end

local found
vim.wait(30000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'faultlore' and d.code == signature then
      found = d
      return true
    end
  end
  return false
end, 50)
if not found then
  error(('no faultlore diagnostic %s within 30 s'):format(signature), 0)
end
if found.severity ~= vim.diagnostic.severity.HINT then
  error(('severity %s, not the hint the settings ask for'):format(found.severity), 0)
end
io.stdout:write(
  ('diagnostic: %s as a hint (%s)\n'):format(signature, legacy and '0.10 path' or '0.11 path')
)

for _, client in ipairs(vim.lsp.get_clients({ name = 'faultlore' })) do
  client:stop()
end
vim.wait(5000, function()
  return #vim.lsp.get_clients({ name = 'faultlore' }) == 0
end, 50)
