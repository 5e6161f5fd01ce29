;;; faultlore-eglot.el --- faultlore in Emacs through Eglot  -*- lexical-binding: t; -*-

;; Paste this into your init file, or load it from a checkout:
;;
;;   (load "/path/to/faultlore/editors/other/faultlore-eglot.el")
;;
;; Eglot is built into Emacs 29 and later; on Emacs 26.3 to 28 install it with
;; `M-x package-install RET eglot' (Debian and Ubuntu: the elpa-eglot package).
;; The server must be on `exec-path': `pipx install faultlore'.

;;; Code:

(define-derived-mode faultlore-log-mode fundamental-mode "Log"
  "Major mode for log files, which faultlore's language server checks.")

;; app.log, app.log.1, syslog, messages, mail.log, error_log, access_log.
(add-to-list 'auto-mode-alist
             '("\\.log\\(?:\\.[0-9]+\\)?\\'" . faultlore-log-mode))
(add-to-list 'auto-mode-alist
             '("/\\(?:syslog\\|messages\\|error_log\\|access_log\\)\\(?:\\.[0-9]+\\)?\\'"
               . faultlore-log-mode))

(with-eval-after-load 'eglot
  ;; Config files too, where their major modes are installed (nginx-mode,
  ;; apache-mode and systemd are on MELPA).  For any other file, `C-u M-x eglot'
  ;; and answer `faultlore lsp'.
  (add-to-list 'eglot-server-programs
               '(((faultlore-log-mode :language-id "log")
                  (nginx-mode :language-id "nginx")
                  (apache-mode :language-id "apache")
                  (systemd-mode :language-id "systemd"))
                 . ("faultlore" "lsp"))))

(add-hook 'faultlore-log-mode-hook #'eglot-ensure)

;; Settings go under the `faultlore' section, as in docs/editors.md, e.g. in a
;; project's .dir-locals.el:
;;
;;   ((nil . ((eglot-workspace-configuration
;;             . (:faultlore (:knowledgeBase (:paths ["kb"])))))))

(provide 'faultlore-eglot)
;;; faultlore-eglot.el ends here
