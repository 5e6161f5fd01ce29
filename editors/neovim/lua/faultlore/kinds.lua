---Which kind of file a buffer holds, so faultlore only attaches where it can help.
---
---This mirrors `server/faultlore/filekinds.py` (the server decides again on its own);
---`tests/editors/neovim/test_kinds.py` checks that both agree.
local M = {}

-- Checked in order against the lower-cased file name; the first match wins. A name
-- may carry a prefix (`07-app.nginx.conf`, `site-main.cf`), as pasted files do.
local name_rules = {
  { 'nginx%.conf$', 'nginx' },
  { '%.nginx$', 'nginx' },
  { 'main%.cf$', 'postfix' },
  { 'master%.cf$', 'postfix' },
  { 'sshd_config$', 'sshd' },
  { 'my%.cnf$', 'mysql' },
  { 'mysqld%.cnf$', 'mysql' },
  { 'mariadb%.cnf$', 'mysql' },
  { 'pg_hba%.conf$', 'pg_hba' },
  { 'postgresql%.conf$', 'postgres' },
  { 'postgresql%.auto%.conf$', 'postgres' },
  { 'redis%.conf$', 'redis' },
  { 'sentinel%.conf$', 'redis' },
  { 'docker%-compose.*%.ya?ml$', 'compose' },
  { '^compose%.ya?ml$', 'compose' },
  { '%.compose%.ya?ml$', 'compose' },
  { 'httpd%.conf$', 'apache' },
  { 'apache2%.conf$', 'apache' },
  { '%.htaccess$', 'apache' },
  { '%.service$', 'systemd' },
  { '%.socket$', 'systemd' },
  { '%.timer$', 'systemd' },
  { '%.mount$', 'systemd' },
  { '%.path$', 'systemd' },
  { '%.target$', 'systemd' },
}

local log_names = {
  '%.log$',
  '%.log%.%d',
  '%.out$',
  '%.err$',
  '^syslog$',
  '^syslog%.%d',
  '^messages$',
  '^messages%.%d',
  '^mail%.warn$',
  '^error_log$',
  '^access_log$',
  '^secure$',
  '%.%d$', -- rotated logs: syslog.1, app.0
  '%.%d%d$',
  '%.jsonl$',
  '%.trace$',
}

-- Folders whose `.conf` and `.cnf` files are of a known kind whatever they are called;
-- `conf.d` says nothing by itself, so the search goes on to the folder above it.
local dir_rules = {
  ['nginx'] = 'nginx',
  ['sites-available'] = 'nginx',
  ['sites-enabled'] = 'nginx',
  ['sshd_config.d'] = 'sshd',
  ['apache2'] = 'apache',
  ['httpd'] = 'apache',
  ['mysql'] = 'mysql',
  ['redis'] = 'redis',
  ['postfix'] = 'postfix',
  ['systemd'] = 'systemd',
}

---@param lines string[]
---@param pattern string
---@return integer?
local function find_line(lines, pattern)
  for i, line in ipairs(lines) do
    if line:find(pattern) then
      return i
    end
  end
end

---@param lines string[]
---@return string?
local function yaml_kind(lines)
  if find_line(lines, '^services:[ \t]*$') then
    return 'compose'
  end
  if find_line(lines, '^apiVersion:[ \t]*%S') and find_line(lines, '^kind:[ \t]*[%w_]') then
    return 'kubernetes'
  end
end

---@param path string
---@param lines string[]
---@return string?
local function conf_kind(path, lines)
  local parts = vim.split(path:lower(), '/', { plain = true })
  for i = #parts - 1, 1, -1 do
    local kind = dir_rules[parts[i]]
    if kind then
      return kind
    end
  end
  for _, line in ipairs(lines) do
    local head = line:match('^[ \t]*([%w_]+)')
    if head == 'server' or head == 'http' or head == 'upstream' or head == 'events' then
      if line:match('^[ \t]*[%w_]+[ \t]*{') then
        return 'nginx'
      end
    elseif head == 'location' and line:find('{') then
      return 'nginx'
    end
    if line:match('^[ \t]*<VirtualHost[%s>]') or line:match('^[ \t]*<Directory[%s>]') then
      return 'apache'
    end
    if line:match('^[ \t]*<IfModule[%s>]') then
      return 'apache'
    end
  end
  if path:lower():match('%.cnf$') then
    return 'mysql'
  end
end

---Return the kind of the file at `path` (`log`, a config kind) or nil.
---@param path string
---@param lines? string[] the first lines of the file, to settle `.conf` and YAML names
---@return string?
function M.kind_of(path, lines)
  local name = vim.fs.basename(path):lower()
  for _, rule in ipairs(name_rules) do
    if name:find(rule[1]) then
      return rule[2]
    end
  end
  for _, pattern in ipairs(log_names) do
    if name:find(pattern) then
      return 'log'
    end
  end
  -- Debian's site files carry no suffix; Apache keeps the same folder names.
  local parts = vim.split(path:lower(), '/', { plain = true })
  local parent = parts[#parts - 1]
  if parent == 'sites-available' or parent == 'sites-enabled' then
    for i = 1, #parts - 1 do
      if parts[i] == 'apache2' or parts[i] == 'httpd' then
        return 'apache'
      end
    end
    return 'nginx'
  end
  lines = lines or {}
  if name:match('%.ya?ml$') then
    return yaml_kind(lines)
  end
  if name:match('%.conf$') or name:match('%.cnf$') then
    return conf_kind(path, lines)
  end
end

---Whether faultlore has anything to say about buffer `bufnr`.
---@param bufnr integer
---@return boolean
function M.wanted(bufnr)
  local filetype = vim.bo[bufnr].filetype
  if filetype == 'log' or filetype == 'messages' then
    return true
  end
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == '' then
    return false
  end
  return M.kind_of(path, vim.api.nvim_buf_get_lines(bufnr, 0, 400, false)) ~= nil
end

return M
