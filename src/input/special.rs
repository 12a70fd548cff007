//! Files that are not regular files: how they are named in messages, and how a named pipe is
//! opened without hanging the run.

/// "a character device", "a socket", … for messages.
pub fn special_kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    let _ = t;
    "a special file"
}

#[cfg(unix)]
pub mod fifo {
    //! Opening a named pipe without hanging.
    //!
    //! A blocking `open` of a FIFO waits for a writer, possibly forever. Opened with
    //! `O_NONBLOCK`, it returns at once, and a read tells the cases apart: data, or `EAGAIN`
    //! (a writer is connected), or end of file (no writer). Without a writer, `poll` waits up to
    //! the grace period for one to connect (Linux reports `POLLHUP` only for writers that came
    //! after the open, so a pipe that never had one just times out). Once a writer is there,
    //! the descriptor is switched back to blocking reads: a slow writer (`helm template` on a
    //! big chart) is then waited for like standard input is.

    use std::fs::{File, OpenOptions};
    use std::io::{self, Chain, Cursor, Read};
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;
    use std::time::Duration;

    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};

    use crate::model::problem::{InputRule, LoadProblem};

    /// The pipe, with the bytes already read in front.
    pub type Pipe = Chain<Cursor<Vec<u8>>, File>;

    pub fn open(path: &Path, wait: Duration) -> Result<Pipe, LoadProblem> {
        let failed =
            |e: io::Error| LoadProblem::new(InputRule::Io, format!("cannot read: {e}"), None);
        let mut file = OpenOptions::new()
            .read(true)
            .custom_flags(OFlags::NONBLOCK.bits() as i32)
            .open(path)
            .map_err(failed)?;
        let mut first = vec![0u8; 64 * 1024];
        let n = match file.read(&mut first) {
            Ok(0) => wait_for_writer(&mut file, &mut first, wait)?,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            Err(e) => return Err(failed(e)),
        };
        first.truncate(n);
        let flags = fcntl_getfl(&file).map_err(|e| failed(e.into()))?;
        fcntl_setfl(&file, flags - OFlags::NONBLOCK).map_err(|e| failed(e.into()))?;
        Ok(Cursor::new(first).chain(file))
    }

    /// No writer yet: waits for one, returns the bytes it read into `buf`.
    fn wait_for_writer(
        file: &mut File,
        buf: &mut [u8],
        wait: Duration,
    ) -> Result<usize, LoadProblem> {
        let failed =
            |e: io::Error| LoadProblem::new(InputRule::Io, format!("cannot read: {e}"), None);
        let timeout = Timespec::try_from(wait).unwrap_or(Timespec {
            tv_sec: 2,
            tv_nsec: 0,
        });
        let mut fds = [PollFd::new(&*file, PollFlags::IN)];
        // Ready: data, or a writer that came and went (end of file). Timed out: no data, but
        // a writer may have connected and not written yet, which the read below tells.
        let ready = loop {
            match poll(&mut fds, Some(&timeout)) {
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(failed(e.into())),
                Ok(n) => break n > 0,
            }
        };
        match file.read(buf) {
            Ok(0) if !ready => Err(LoadProblem::new(
                InputRule::Io,
                format!(
                    "named pipe: no process opened it for writing within {} s; it was not \
                     checked",
                    wait.as_secs_f32()
                ),
                None,
            )
            .with_hint("start the writer first, or pipe into standard input: `cmd | psslint -`")),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(failed(e)),
        }
    }
}
