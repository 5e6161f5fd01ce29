---`:checkhealth faultlore`: the server can be found and run, and has signatures.
local M = {}

local health = vim.health

---The configuration the editor will use, and where it comes from.
---@return vim.lsp.Config?, string
local function current_config()
  local file = vim.api.nvim_get_runtime_file('lsp/faultlore.lua', false)[1] or '(not found)'
  if vim.fn.has('nvim-0.11') == 1 then
    return vim.lsp.config.faultlore, ('%s and vim.lsp.config()'):format(file)
  end
  local faultlore = require('faultlore')
  if faultlore.config then
    return faultlore.config, ("%s and require('faultlore').setup()"):format(file)
  end
  local ok, defaults = pcall(faultlore.defaults)
  return ok and defaults or nil, ('%s (setup() not called)'):format(file)
end

---Run `argv` and wait for it; nil and a reason when it fails or hangs.
---@param argv string[]
---@return vim.SystemCompleted?, string?
local function run(argv)
  local ok, proc = pcall(vim.system, argv, { text = true })
  if not ok then
    return nil, tostring(proc)
  end
  local result = proc:wait(20000)
  if result.code == 124 and result.signal ~= 0 then
    return nil, 'no answer within 20 s'
  end
  if result.code ~= 0 then
    local stderr = vim.trim(result.stderr or '')
    return nil, ('exit status %d%s'):format(result.code, stderr ~= '' and (': ' .. stderr) or '')
  end
  return result
end

---The `--kb` and `--no-bundled` options that reproduce the knowledge-base settings.
---@param config vim.lsp.Config
---@return string[]
local function kb_args(config)
  local kb = vim.tbl_get(config, 'settings', 'faultlore', 'knowledgeBase') or {}
  local args = {}
  for _, path in ipairs(kb.paths or {}) do
    vim.list_extend(args, { '--kb', vim.fs.normalize(path) })
  end
  if kb.bundled == false then
    table.insert(args, '--no-bundled')
  end
  return args
end

local function check_neovim()
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok("Neovim 0.11 or later: `vim.lsp.enable('faultlore')` works")
  elseif vim.fn.has('nvim-0.10') == 1 then
    health.ok("Neovim 0.10: use `require('faultlore').setup()`")
  else
    health.error('Neovim 0.10 or later is required', { 'Upgrade Neovim' })
  end
end

---@param config vim.lsp.Config?
---@param origin string
---@return boolean
local function check_config(config, origin)
  if not config then
    health.error('no configuration named faultlore', {
      'Put the editors/neovim folder of faultlore on runtimepath (it holds lsp/faultlore.lua)',
    })
    return false
  end
  health.ok(('configuration: %s'):format(origin))

  local enabled
  if vim.fn.has('nvim-0.11') == 1 then
    enabled = vim.lsp.is_enabled('faultlore')
  else
    enabled = require('faultlore').config ~= nil
  end
  if enabled then
    health.ok('faultlore is enabled')
  else
    health.warn('faultlore is not enabled, so it never starts', {
      "Add `vim.lsp.enable('faultlore')` (0.11+) or `require('faultlore').setup()`",
    })
  end

  if vim.filetype.match({ filename = 'app.log' }) == 'log' then
    health.ok('log files get the `log` filetype')
  else
    health.warn('*.log files do not get the `log` filetype', {
      "Call `require('faultlore').setup()`, or `require('faultlore.filetypes').register()`",
    })
  end
  return true
end

---@param config vim.lsp.Config
---@return string? the executable
local function check_executable(config)
  local cmd = config.cmd
  if type(cmd) ~= 'table' or not cmd[1] then
    health.info('`cmd` is a function; the server executable cannot be checked')
    return nil
  end

  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    health.error(('`%s` not found (cmd = %s)'):format(cmd[1], vim.inspect(cmd)), {
      'Install the server: `pipx install faultlore` or `pip install faultlore`',
      "Or point `cmd` at it: vim.lsp.config('faultlore', { cmd = { '/path/to/faultlore', 'lsp' } })",
    })
    return nil
  end
  health.ok(('server executable: %s'):format(exe))

  local result, why = run({ exe, '--version' })
  if not result then
    health.error(('`%s --version` failed: %s'):format(exe, why))
    return nil
  end
  health.ok(vim.trim(result.stdout))
  return exe
end

---@param config vim.lsp.Config
---@param exe string
local function check_knowledge_base(config, exe)
  local argv = vim.list_extend({ exe, 'kb', 'list' }, kb_args(config))
  local result, why = run(argv)
  if not result then
    health.error(('`%s` failed: %s'):format(table.concat(argv, ' '), why))
    return
  end

  local count = #vim.split(vim.trim(result.stdout), '\n', { trimempty = true })
  if count > 0 then
    local noun = count == 1 and 'signature' or 'signatures'
    health.ok(('knowledge base loaded: %d %s'):format(count, noun))
  else
    health.error('the knowledge base is empty', {
      'Check `knowledgeBase.paths` and `knowledgeBase.bundled` in settings.faultlore',
      'Run `faultlore kb validate` to see what is wrong with your records',
    })
  end

  local problems = vim.split(vim.trim(result.stderr or ''), '\n', { trimempty = true })
  for i, line in ipairs(problems) do
    if i > 10 then
      health.warn(('... and %d more knowledge-base problems'):format(#problems - 10))
      break
    end
    health.warn(line)
  end
end

local function report_clients()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = get({ name = 'faultlore' })
  if #clients == 0 then
    health.info('no faultlore client is running (open a log file to start one)')
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_count(client.attached_buffers or {})
    health.info(
      ('client %d: root %s, %d buffer(s)'):format(client.id, client.root_dir or '(none)', buffers)
    )
  end
end

function M.check()
  health.start('faultlore')
  check_neovim()

  local config, origin = current_config()
  if not check_config(config, origin) then
    return
  end
  ---@cast config vim.lsp.Config

  health.start('faultlore: server')
  local exe = check_executable(config)
  if exe then
    check_knowledge_base(config, exe)
  end
  report_clients()
end

return M
