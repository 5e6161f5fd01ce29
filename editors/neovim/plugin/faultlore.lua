if vim.g.loaded_faultlore then
  return
end
vim.g.loaded_faultlore = true

require('faultlore.filetypes').register()
