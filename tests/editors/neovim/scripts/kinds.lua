-- For each {path, text} case in arg[1] (JSON), write to arg[2] (JSON) the kind the
-- plugin gives the file, the filetype Neovim detects for a buffer of that name and
-- text, whether the configuration lists that filetype (`attaches`) and whether its
-- root_dir gate lets the server start on the buffer (`wanted`).
local cases = vim.json.decode(table.concat(vim.fn.readfile(arg[1]), '\n'))
local kinds = require('faultlore.kinds')
local filetypes = vim.lsp.config.faultlore.filetypes

local results = {}
for _, case in ipairs(cases) do
  local lines = vim.split(case.text, '\n', { plain = true })
  local bufnr = vim.api.nvim_create_buf(true, false)
  vim.api.nvim_buf_set_name(bufnr, case.path)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  local filetype = vim.filetype.match({ buf = bufnr }) or ''
  vim.bo[bufnr].filetype = filetype
  table.insert(results, {
    path = case.path,
    kind = kinds.kind_of(case.path, lines) or vim.NIL,
    filetype = filetype,
    attaches = vim.tbl_contains(filetypes, filetype),
    wanted = kinds.wanted(bufnr),
  })
  vim.api.nvim_buf_delete(bufnr, { force = true })
end
vim.fn.writefile({ vim.json.encode(results) }, arg[2])
