---Filetype rules: log files get `log`, and the config files faultlore knows get the
---filetype of their format where Neovim leaves them unnamed or plain `conf`.
local M = {}

-- The filetype of each config kind that may hide behind a `.conf` or `.cnf` name.
local conf_filetypes = {
  nginx = 'nginx',
  apache = 'apache',
  sshd = 'sshdconfig',
  mysql = 'dosini',
  systemd = 'systemd',
  postfix = 'conf',
  postgres = 'conf',
  pg_hba = 'conf',
  redis = 'conf',
}

---A `.conf` or `.cnf` file of a known kind, by name, folder or content (an nginx
---`server {` block, an Apache `<VirtualHost>`); nil lets Neovim's own rules decide.
---@param path string
---@param bufnr? integer
---@return string?
local function conf(path, bufnr)
  local lines = bufnr and vim.api.nvim_buf_get_lines(bufnr, 0, 200, false) or {}
  local kind = require('faultlore.kinds').kind_of(path, lines)
  return conf_filetypes[kind]
end

---@type vim.filetype.add.filetypes
M.rules = {
  extension = {
    log = 'log',
  },
  filename = {
    ['syslog'] = 'log',
    ['messages'] = 'log',
    ['mail.log'] = 'log',
    ['mail.err'] = 'log',
    ['mail.warn'] = 'log',
    ['error_log'] = 'log',
    ['access_log'] = 'log',
    ['master.cf'] = 'conf',
  },
  pattern = {
    -- Rotated logs: app.log.1, syslog.2, messages.3 (compressed ones are not text).
    ['.*%.log%.%d+'] = 'log',
    ['syslog%.%d+'] = 'log',
    ['messages%.%d+'] = 'log',
    ['.*/log/secure'] = 'log',
    ['.*%.conf'] = conf,
    ['.*%.cnf'] = conf,
    -- Config files saved under a prefix, as pasted into bug reports.
    ['.*[-_.]main%.cf'] = 'pfmain',
    ['.*[-_.]master%.cf'] = 'conf',
    ['.*[-_.]sshd_config'] = 'sshdconfig',
    -- systemd units outside the usual folders (a repository's deploy/ folder).
    ['.*%.service'] = { 'systemd', { priority = -1 } },
    ['.*%.socket'] = { 'systemd', { priority = -1 } },
    ['.*%.timer'] = { 'systemd', { priority = -1 } },
  },
}

---Add the rules to `vim.filetype`; safe to call more than once.
function M.register()
  vim.filetype.add(M.rules)
end

return M
