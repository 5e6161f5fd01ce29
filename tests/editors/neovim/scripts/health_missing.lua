-- `:checkhealth faultlore` without the server on PATH must say so as an ERROR.
vim.lsp.enable('faultlore')
vim.cmd('checkhealth faultlore')

local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
io.stdout:write(text, '\n')
if not text:find('ERROR') then
  error('checkhealth faultlore did not report the missing server as an ERROR')
end
