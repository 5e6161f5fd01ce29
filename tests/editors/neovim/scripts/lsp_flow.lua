-- Open a log with the plugin's own configuration, as a user would, and go through
-- faultlore's features: diagnostics, hover, code actions. arg[1] is a JSON spec:
--   log         the file to open
--   signature   the id a diagnostic must carry
--   match       text the diagnostic's range must start with (checks the columns)
--   root_cause  text the hover card must contain
--   action      prefix of the title of the code action to apply
--   edited      the file the action changes; `contains`, the start of a line it gains
--   encoding    (optional) the only position encoding the client offers
-- Any failure raises an error, so nvim exits non-zero.
local spec = vim.json.decode(table.concat(vim.fn.readfile(arg[1]), '\n'))

local function say(...)
  io.stdout:write(string.format(...), '\n')
end

local function fail(...)
  error(string.format(...), 0)
end

---@param text string
local function squash(text)
  return vim.trim(text:gsub('\\', ''):gsub('%s+', ' '))
end

-- Pickers would wait for a keypress: a run that reaches one has already failed.
vim.ui.select = function(items)
  local titles = vim.tbl_map(function(item)
    return item.action and item.action.title or vim.inspect(item)
  end, items)
  fail('a picker opened instead of applying one action: %s', vim.inspect(titles))
end

if spec.encoding then
  vim.lsp.config('faultlore', {
    capabilities = { general = { positionEncodings = { spec.encoding } } },
  })
end
vim.lsp.enable('faultlore')
vim.cmd.edit(vim.fn.fnameescape(spec.log))
local buf = vim.api.nvim_get_current_buf()
if vim.bo[buf].filetype ~= 'log' then
  fail('%s has filetype %q, not log', spec.log, vim.bo[buf].filetype)
end

-- The server starts and initializes.
local client
local started = vim.wait(30000, function()
  client = vim.lsp.get_clients({ bufnr = buf, name = 'faultlore' })[1]
  return client ~= nil and client.initialized == true
end, 50)
if not started then
  fail('faultlore did not attach within 30 s (see %s)', vim.lsp.log.get_filename())
end
say('attached: client %d, position encoding %s', client.id, client.offset_encoding)

-- Diagnostics arrive, describe themselves, and cover the matched text.
local diagnostic
local published = vim.wait(30000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'faultlore' and d.code == spec.signature then
      diagnostic = d
      return true
    end
  end
  return false
end, 50)
if not published then
  fail(
    'no faultlore diagnostic %s within 30 s; got %s',
    spec.signature,
    vim.inspect(vim.diagnostic.get(buf))
  )
end
local line = vim.api.nvim_buf_get_lines(buf, diagnostic.lnum, diagnostic.lnum + 1, false)[1]
local covered = line:sub(diagnostic.col + 1, diagnostic.end_col)
if not vim.startswith(covered, spec.match) then
  fail(
    'diagnostic columns %d-%d cover %q, not %q',
    diagnostic.col,
    diagnostic.end_col,
    covered,
    spec.match
  )
end
say('diagnostic: line %d: %s [%s]', diagnostic.lnum + 1, diagnostic.message, diagnostic.code)

-- Hover on the diagnostic shows the root cause.
vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
vim.lsp.buf.hover()
local float
vim.wait(10000, function()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      float = win
      return true
    end
  end
  return false
end, 50)
if not float then
  fail('no hover window within 10 s')
end
local card =
  table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false), '\n')
if not squash(card):find(squash(spec.root_cause), 1, true) then
  fail('the hover card lacks the root cause %q:\n%s', spec.root_cause, card)
end
say('hover: %d lines, root cause found', select(2, card:gsub('\n', '')) + 1)
vim.api.nvim_win_close(float, true)

-- Code actions are offered for the diagnostic...
local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
params.context = { diagnostics = vim.lsp.diagnostic.from({ diagnostic }), triggerKind = 1 }
local response, err = client:request_sync('textDocument/codeAction', params, 10000, buf)
if not response or response.err then
  fail('textDocument/codeAction failed: %s', vim.inspect(response and response.err or err))
end
local titles = vim.tbl_map(function(action)
  return action.title
end, response.result or {})
say('code actions: %s', table.concat(titles, ' | '))
local wanted = vim.tbl_filter(function(title)
  return vim.startswith(title, spec.action)
end, titles)
if #wanted ~= 1 then
  fail('expected one code action titled %q..., got %s', spec.action, vim.inspect(titles))
end

-- ...and applying one the way a user does changes the file it belongs to.
vim.lsp.buf.code_action({
  apply = true,
  filter = function(action)
    return vim.startswith(action.title, spec.action)
  end,
})
local edited = vim.fn.fnamemodify(spec.edited, ':p')
local applied = vim.wait(10000, function()
  local target = vim.fn.bufnr(edited)
  if target == -1 or not vim.api.nvim_buf_is_loaded(target) then
    return false
  end
  for _, text in ipairs(vim.api.nvim_buf_get_lines(target, 0, -1, false)) do
    if vim.startswith(text, spec.contains) then
      return true
    end
  end
  return false
end, 50)
if not applied then
  fail('%s did not get a line starting %q within 10 s', edited, spec.contains)
end
vim.cmd('silent wall')
say('applied: %s', wanted[1])

client:stop()
vim.wait(5000, function()
  return client:is_stopped()
end, 50)
