//! Ctrl-C (SIGINT) and SIGTERM: psslint stops at once, as the signal's default action would,
//! so the shell or CI runner sees a process killed by the signal (exit status 130 or 143 in a
//! shell) and a script running psslint stops too. Before it dies it
//!
//! * deletes the report file it is writing, if any: report files are written to a temporary
//!   file beside the target and renamed into place when complete ([`crate::report::output`]), so
//!   without this an interrupted write would leave a `.psslint-*.tmp` behind;
//! * says `psslint: interrupted` on standard error.
//!
//! The handler does only async-signal-safe things: an atomic swap, `unlink`, `write`, then it
//! restores the default action and raises the signal again. A signal that was ignored when
//! psslint started (`nohup`, a background job) stays ignored.

#[cfg(unix)]
mod imp {
    use std::ffi::{c_char, c_int, CString};
    use std::path::Path;
    use std::ptr;
    use std::sync::atomic::{AtomicPtr, Ordering};

    /// The temporary report file being written, as a C string owned by whoever swaps it out.
    static TEMP: AtomicPtr<c_char> = AtomicPtr::new(ptr::null_mut());

    extern "C" fn on_signal(sig: c_int) {
        let path = TEMP.swap(ptr::null_mut(), Ordering::SeqCst);
        // SAFETY: `path` is null or a NUL-terminated string leaked by `TempGuard::new`, and
        // the swap made this handler its only user. unlink, write, signal and raise are
        // async-signal-safe.
        unsafe {
            if !path.is_null() {
                libc::unlink(path);
            }
            let msg = b"psslint: interrupted\n";
            libc::write(2, msg.as_ptr().cast(), msg.len());
            // The signal is blocked while its handler runs: re-raised with the default action,
            // it is delivered (and kills the process) as soon as the handler returns.
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
    }

    /// Deletes the temporary report file being written, if any, without allocating (for a
    /// death other than a signal: memory exhausted, see [`crate::runtime::alloc`]).
    pub fn discard_temp() {
        let path = TEMP.swap(ptr::null_mut(), Ordering::SeqCst);
        if !path.is_null() {
            // SAFETY: as in `on_signal`; the string is leaked, the process is about to exit.
            unsafe {
                libc::unlink(path);
            }
        }
    }

    pub fn install() {
        for sig in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: plain sigaction calls; the handler is async-signal-safe (see above).
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, ptr::null(), &mut old) != 0
                    || old.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
                new.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut new.sa_mask);
                libc::sigaction(sig, &new, ptr::null_mut());
            }
        }
    }

    /// While alive, an interrupt deletes `path` before psslint dies.
    pub struct TempGuard(());

    impl TempGuard {
        pub fn new(path: &Path) -> TempGuard {
            use std::os::unix::ffi::OsStrExt;
            if let Ok(c) = CString::new(path.as_os_str().as_bytes()) {
                let old = TEMP.swap(c.into_raw(), Ordering::SeqCst);
                free(old);
            }
            TempGuard(())
        }
    }

    impl Drop for TempGuard {
        fn drop(&mut self) {
            free(TEMP.swap(ptr::null_mut(), Ordering::SeqCst));
        }
    }

    fn free(p: *mut c_char) {
        if !p.is_null() {
            // SAFETY: every non-null pointer in TEMP came from CString::into_raw, and the swap
            // that returned it made this caller its only owner.
            drop(unsafe { CString::from_raw(p) });
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::path::Path;

    pub fn install() {}

    pub fn discard_temp() {}

    pub struct TempGuard(());

    impl TempGuard {
        pub fn new(_: &Path) -> TempGuard {
            TempGuard(())
        }
    }
}

/// Deletes the temporary report file being written, if any (async-signal-safe, allocates
/// nothing).
pub use imp::discard_temp;
/// Installs the handlers (once, from `main`).
pub use imp::install;
/// Registers a temporary file for deletion on an interrupt, for as long as the guard lives.
pub use imp::TempGuard;
