" faultlore in Vim or Neovim through ALE (https://github.com/dense-analysis/ale).
" Source this from your vimrc after ALE is loaded. The server must be on $PATH:
" `pipx install faultlore`.

" Log files get the `log` filetype: app.log, app.log.1, syslog, messages, ...
augroup faultlore_filetypes
  autocmd!
  autocmd BufNewFile,BufRead *.log,*.log.[0-9]* setfiletype log
  autocmd BufNewFile,BufRead syslog,syslog.[0-9]*,messages,messages.[0-9]* setfiletype log
  autocmd BufNewFile,BufRead mail.err,mail.warn,error_log,access_log setfiletype log
augroup END

" The workspace root: the nearest folder with .faultlore.toml, .faultlore/ or .git/,
" else the file's own folder (ALE starts no language server without a root).
function! FaultloreRoot(buffer) abort
  let l:dir = fnamemodify(bufname(a:buffer), ':p:h')
  for l:marker in ['.faultlore.toml', '.faultlore', '.git']
    let l:found = finddir(l:marker, l:dir . ';')
    if empty(l:found)
      let l:found = findfile(l:marker, l:dir . ';')
    endif
    if !empty(l:found)
      return fnamemodify(fnamemodify(l:found, ':p'), ':s?/$??:h')
    endif
  endfor
  return l:dir
endfunction

for s:filetype in ['log', 'messages', 'nginx', 'apache', 'pfmain', 'sshdconfig', 'systemd']
  call ale#linter#Define(s:filetype, {
        \ 'name': 'faultlore',
        \ 'lsp': 'stdio',
        \ 'executable': 'faultlore',
        \ 'command': '%e lsp',
        \ 'project_root': function('FaultloreRoot'),
        \ 'lsp_config': {'faultlore': {'knowledgeBase': {'paths': []}}},
        \ })
endfor
