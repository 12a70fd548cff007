//! Memory exhaustion ends psslint with a clear error, not an abort.
//!
//! Rust's default reaction to a failed allocation is `memory allocation of N bytes failed`
//! and `abort()` (SIGABRT, a core dump, exit status 134 in a shell): under a memory cap
//! (`ulimit -v`, a container limit enforced on `mmap`) a CI log would show a crash.
//! `std::alloc::set_alloc_error_hook` is unstable, so the binary installs [`Checked`] as its
//! global allocator: the system allocator, plus a check of each result. On a null result it
//! says what happened on standard error, deletes the report file being written (as an
//! interrupt does) and exits with status 2 ("psslint could not run"). It allocates nothing and
//! takes no lock on the way out, so it works however little memory is left.
//!
//! The check costs one comparison per allocation.

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator, ending the process cleanly when it runs out (see the module docs).
pub struct Checked;

// SAFETY: every call is forwarded to `System` with the same arguments; a null result, the one
// thing added, never returns.
unsafe impl GlobalAlloc for Checked {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        checked(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        checked(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        checked(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
}

#[inline(always)]
fn checked(ptr: *mut u8, size: usize) -> *mut u8 {
    if ptr.is_null() {
        out_of_memory(size);
    }
    ptr
}

/// The message for a failed allocation of `size` bytes, written into `buf` (no allocation);
/// returns its length.
fn message(size: usize, buf: &mut [u8; 256]) -> usize {
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        let n = bytes.len().min(buf.len() - len);
        buf[len..len + n].copy_from_slice(&bytes[..n]);
        len += n;
    };
    put(b"psslint: error: out of memory: could not allocate ");
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = size;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    put(&digits[i..]);
    put(
        b" bytes; no report was written. Raise the memory limit (ulimit -v, the container's) \
          or lint fewer files per run.\n",
    );
    len
}

#[cold]
#[inline(never)]
fn out_of_memory(size: usize) -> ! {
    let mut buf = [0u8; 256];
    let len = message(size, &mut buf);
    super::interrupt::discard_temp();
    exit_with(&buf[..len])
}

#[cfg(unix)]
fn exit_with(msg: &[u8]) -> ! {
    // SAFETY: write and _exit are async-signal-safe and allocate nothing; `_exit` skips the
    // atexit handlers and destructors, which might allocate.
    unsafe {
        libc::write(2, msg.as_ptr().cast(), msg.len());
        libc::_exit(2)
    }
}

#[cfg(not(unix))]
fn exit_with(msg: &[u8]) -> ! {
    use std::io::Write;
    let _ = std::io::stderr().write_all(msg);
    std::process::exit(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_size() {
        let mut buf = [0u8; 256];
        for (size, shown) in [
            (0, "allocate 0 bytes"),
            (123456789, "allocate 123456789 bytes"),
        ] {
            let len = message(size, &mut buf);
            let text = std::str::from_utf8(&buf[..len]).expect("ascii");
            assert!(text.contains(shown), "{text}");
            assert!(text.starts_with("psslint: error: out of memory"), "{text}");
            assert!(text.ends_with(".\n"), "{text}");
        }
        let len = message(usize::MAX, &mut buf);
        let text = std::str::from_utf8(&buf[..len]).expect("ascii");
        assert!(text.contains(&usize::MAX.to_string()), "{text}");
    }
}
