---faultlore: known failures in log and config files, with their causes and fixes.
---
---Install the server with `pip install faultlore` (or `pipx install faultlore`), put
---this folder on 'runtimepath', then:
---
---```lua
---vim.lsp.enable('faultlore')
---```
---
---The server attaches to log files and to the config files it knows (nginx, Apache,
---Postfix, sshd, MySQL, PostgreSQL, Redis, Compose, systemd, Kubernetes); a YAML or
---`.conf` buffer of another kind is left alone. Settings are described in
---`docs/editors.md`; for example, to add your own knowledge base:
---
---```lua
---vim.lsp.config('faultlore', {
---  settings = { faultlore = { knowledgeBase = { paths = { '~/kb' } } } },
---})
---```

local root_markers = { '.faultlore.toml', '.faultlore', '.git' }

---@type vim.lsp.Config
return {
  cmd = { 'faultlore', 'lsp' },
  filetypes = {
    'log',
    'messages',
    'nginx',
    'apache',
    'pfmain',
    'sshdconfig',
    'dosini',
    'conf',
    'yaml',
    'yaml.docker-compose',
    'systemd',
  },
  root_markers = root_markers,
  root_dir = function(bufnr, on_dir)
    local ok, kinds = pcall(require, 'faultlore.kinds')
    if ok and not kinds.wanted(bufnr) then
      return
    end
    on_dir(vim.fs.root(bufnr, root_markers))
  end,
  -- The server reads its settings from `initializationOptions` at start-up (some,
  -- such as `diagnosticMode`, only there) and from `workspace/configuration` later:
  -- send the same table both ways so `settings` is the one place to set them.
  before_init = function(params, config)
    local settings = vim.tbl_get(config, 'settings', 'faultlore')
    if type(settings) == 'table' and next(settings) ~= nil then
      params.initializationOptions =
        vim.tbl_deep_extend('force', settings, params.initializationOptions or {})
    end
  end,
  settings = {
    faultlore = {},
  },
}
