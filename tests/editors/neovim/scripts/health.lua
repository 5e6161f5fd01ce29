-- `:checkhealth faultlore` with the plugin's own configuration (and, when arg[1] names
-- a JSON file, these settings.faultlore): print the report, and fail when it has an
-- ERROR or lacks the server, version and knowledge-base checks.
if arg[1] then
  local settings = vim.json.decode(table.concat(vim.fn.readfile(arg[1]), '\n'))
  vim.lsp.config('faultlore', { settings = { faultlore = settings } })
end
vim.lsp.enable('faultlore')
vim.cmd('checkhealth faultlore')

local report = vim.api.nvim_buf_get_lines(0, 0, -1, false)
io.stdout:write(table.concat(report, '\n'), '\n')
local text = table.concat(report, '\n')

if text:find('ERROR') then
  error('checkhealth faultlore reported an ERROR')
end
for _, expected in ipairs({
  'server executable: ',
  'faultlore, version ',
  'knowledge base loaded: ',
}) do
  if not text:find(expected, 1, true) then
    error(('checkhealth faultlore lacks %q'):format(expected))
  end
end
