---faultlore for Neovim.
---
---On Neovim 0.11 and later, `vim.lsp.enable('faultlore')` is all it takes (the
---configuration is `lsp/faultlore.lua`). `setup(opts)` is for 0.10, and for anyone who
---prefers one call: it registers the filetype rules, merges `opts` over the defaults
---and starts the server on matching buffers.
local M = {}

---The configuration `setup` last applied, or nil before it is called.
---@type vim.lsp.Config?
M.config = nil

---The default configuration, read from `lsp/faultlore.lua` on 'runtimepath'.
---@return vim.lsp.Config
function M.defaults()
  local file = vim.api.nvim_get_runtime_file('lsp/faultlore.lua', false)[1]
  assert(file, 'faultlore: lsp/faultlore.lua is not on runtimepath')
  return dofile(file)
end

---Merge `opts` over `defaults`; lists (`cmd`, `filetypes`, ...) are replaced whole.
---@param defaults vim.lsp.Config
---@param opts vim.lsp.Config
---@return vim.lsp.Config
local function merge(defaults, opts)
  local config = vim.tbl_deep_extend('force', defaults, opts)
  -- 0.10's tbl_deep_extend merges lists index by index: { 'x' } over
  -- { 'faultlore', 'lsp' } would give { 'x', 'lsp' }.
  for _, key in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if opts[key] ~= nil then
      config[key] = opts[key]
    end
  end
  return config
end

---Start (or reuse) a client for `bufnr`, as `vim.lsp.enable` does on 0.11.
---@param bufnr integer
---@param config vim.lsp.Config
local function start(bufnr, config)
  local function on_dir(root_dir)
    local client_config = vim.deepcopy(config)
    client_config.name = 'faultlore'
    client_config.root_dir = root_dir
    -- Fields of vim.lsp.Config that 0.10's vim.lsp.start does not know.
    client_config.filetypes = nil
    client_config.root_markers = nil
    vim.lsp.start(client_config, { bufnr = bufnr })
  end

  if type(config.root_dir) == 'function' then
    config.root_dir(bufnr, on_dir)
  else
    on_dir(config.root_dir or vim.fs.root(bufnr, config.root_markers or {}))
  end
end

---Set faultlore up: filetype rules, configuration, and starting the server.
---@param opts? vim.lsp.Config fields to change, e.g. `cmd` or `settings.faultlore`
function M.setup(opts)
  opts = opts or {}
  require('faultlore.filetypes').register()

  if vim.fn.has('nvim-0.11') == 1 then
    vim.lsp.config('faultlore', opts)
    vim.lsp.enable('faultlore')
    M.config = vim.lsp.config.faultlore
    return
  end

  local config = merge(M.defaults(), opts)
  M.config = config
  local group = vim.api.nvim_create_augroup('faultlore', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      if vim.bo[args.buf].buftype == '' then
        start(args.buf, config)
      end
    end,
  })

  -- Buffers opened before setup ran (a lazy-loaded plugin) get the server too.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    local filetype = vim.bo[bufnr].filetype
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, filetype) then
      start(bufnr, config)
    end
  end
end

return M
