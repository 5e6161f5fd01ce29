" faultlore in Vim through vim-lsp (https://github.com/prabirshrestha/vim-lsp).
" Source this from your vimrc, or paste it there. The server must be on $PATH:
" `pipx install faultlore`.

" Log files get the `log` filetype: app.log, app.log.1, syslog, messages, ...
augroup faultlore_filetypes
  autocmd!
  autocmd BufNewFile,BufRead *.log,*.log.[0-9]* setfiletype log
  autocmd BufNewFile,BufRead syslog,syslog.[0-9]*,messages,messages.[0-9]* setfiletype log
  autocmd BufNewFile,BufRead mail.err,mail.warn,error_log,access_log setfiletype log
augroup END

if executable('faultlore')
  augroup faultlore_lsp
    autocmd!
    autocmd User lsp_setup call lsp#register_server({
          \ 'name': 'faultlore',
          \ 'cmd': {server_info -> ['faultlore', 'lsp']},
          \ 'root_uri': {server_info -> lsp#utils#path_to_uri(
          \   lsp#utils#find_nearest_parent_file_directory(
          \     lsp#utils#get_buffer_path(), ['.faultlore.toml', '.faultlore/', '.git/']))},
          \ 'allowlist': ['log', 'messages', 'nginx', 'apache', 'pfmain', 'sshdconfig',
          \               'systemd', 'dosini', 'conf', 'yaml'],
          \ 'workspace_config': {'faultlore': {'knowledgeBase': {'paths': []}}},
          \ })
  augroup END
endif
