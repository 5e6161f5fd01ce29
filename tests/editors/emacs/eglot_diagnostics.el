;;; eglot_diagnostics.el --- Open a log with Eglot and wait for faultlore's diagnostics  -*- lexical-binding: t; -*-

;; Run as `emacs --batch -l eglot_diagnostics.el' with, in the environment:
;; FAULTLORE_SNIPPET (editors/other/faultlore-eglot.el), FAULTLORE_LOG (the file to
;; open), FAULTLORE_EXPECT (a signature id) and FAULTLORE_TIMEOUT (seconds).  Exits
;; 0 once Flymake shows a faultlore diagnostic with that id, 1 otherwise.

;;; Code:

(require 'eglot)
(require 'flymake)
(require 'seq)

(defun faultlore-test-fail (format-string &rest args)
  "Print FORMAT-STRING with ARGS as a failure and exit non-zero."
  (message "FAIL: %s" (apply #'format format-string args))
  (kill-emacs 1))

(defun faultlore-test-diagnostics (expect)
  "Flymake diagnostics of the current buffer from faultlore with the id EXPECT."
  (seq-filter (lambda (diag)
                (string-prefix-p (format "faultlore [%s]" expect)
                                 (flymake-diagnostic-text diag)))
              (flymake-diagnostics)))

(defun faultlore-test-run ()
  "Open the log, start Eglot and wait for the expected diagnostic."
  (load (getenv "FAULTLORE_SNIPPET") nil t)
  (let* ((expect (getenv "FAULTLORE_EXPECT"))
         (timeout (string-to-number (or (getenv "FAULTLORE_TIMEOUT") "60")))
         (deadline (+ (float-time) timeout))
         (next-start 0)
         found)
    (find-file (getenv "FAULTLORE_LOG"))
    (unless (eq major-mode 'faultlore-log-mode)
      (faultlore-test-fail "%s opened in %s, not faultlore-log-mode"
                           buffer-file-name major-mode))
    ;; `eglot-ensure' connects from `post-command-hook', and batch mode runs no
    ;; commands: connect the way `M-x eglot' does.
    (apply #'eglot (eglot--guess-contact))
    (while (and (not found) (< (float-time) deadline))
      (accept-process-output nil 0.1)
      ;; Flymake starts checks from idle timers, which batch mode never runs.
      (when (and (bound-and-true-p flymake-mode) (> (float-time) next-start))
        (flymake-start)
        (setq next-start (+ (float-time) 0.5)))
      (setq found (faultlore-test-diagnostics expect)))
    (unless found
      (faultlore-test-fail "no faultlore diagnostic %s after %ss; Flymake has: %S"
                           expect timeout
                           (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
    (dolist (diag found)
      (message "OK: line %d: %s"
               (line-number-at-pos (flymake-diagnostic-beg diag))
               (flymake-diagnostic-text diag)))
    (eglot-shutdown (eglot-current-server))
    (kill-emacs 0)))

(condition-case err
    (faultlore-test-run)
  (error (faultlore-test-fail "%s" (error-message-string err))))

;;; eglot_diagnostics.el ends here
