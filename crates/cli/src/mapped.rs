//! A capture file read through a window mapped into memory, so the reader parses the page
//! cache in place instead of copying every byte out of it with `read(2)` (a seventh of all
//! CPU time on a 229 MB file, and on the reading thread, the one that bounds the pipeline).
//!
//! The window slides forward, one map at a time, so what the process maps (and what `top`
//! and cgroups count as its memory) stays near [`WINDOW`] whatever the file's size.

use std::fs::File;

use rtpscope::capture::input::Input;
use rtpscope::capture::{CaptureError, Source};

/// Bytes mapped at once (more only for a record larger than this).
const WINDOW: u64 = 16 << 20;
/// Map offsets are multiples of this: a whole number of pages on every common page size.
const ALIGN: u64 = 64 << 10;

/// A regular file read through a sliding mapped window.
#[derive(Debug)]
pub struct MappedFile {
    file: File,
    /// The file's length when it was opened: what is read.
    len: u64,
    /// The current window (none only after a failed map).
    map: Option<memmap2::Mmap>,
    /// File offset of the window's first byte.
    base: u64,
    /// Bytes to map at once.
    window: u64,
}

/// A file [`MappedFile::of`] will not read: to be read with `read(2)` instead.
#[derive(Debug)]
pub struct Unmapped {
    /// The file, as it was given.
    pub file: File,
    /// Why: not a non-empty regular file (pipes, devices, empty files), or the map failed
    /// (file systems that cannot map, as sysfs; no address space left).
    pub why: std::io::Error,
}

impl MappedFile {
    /// Reads `file` through a mapped window if it is a non-empty regular file that maps.
    pub fn of(file: File) -> Result<MappedFile, Unmapped> {
        MappedFile::with_window(file, WINDOW)
    }

    /// [`MappedFile::of`] mapping `window` bytes at a time; the first window is mapped here,
    /// so a file that cannot be mapped is known before anything is read.
    fn with_window(file: File, window: u64) -> Result<MappedFile, Unmapped> {
        let len = match file.metadata() {
            Ok(meta) if meta.is_file() && meta.len() > 0 => meta.len(),
            Ok(_) => {
                let why = std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a non-empty regular file",
                );
                return Err(Unmapped { file, why });
            }
            Err(why) => return Err(Unmapped { file, why }),
        };
        let mut mapped = MappedFile {
            file,
            len,
            map: None,
            base: 0,
            window,
        };
        let first = usize::try_from(window.min(len)).unwrap_or(usize::MAX);
        match mapped.map(0, first) {
            Ok(()) => Ok(mapped),
            Err(why) => Err(Unmapped {
                file: mapped.file,
                why,
            }),
        }
    }

    /// Maps `len` bytes from file offset `start` (a multiple of [`ALIGN`]) as the window.
    fn map(&mut self, start: u64, len: usize) -> std::io::Result<()> {
        self.map = None;
        // SAFETY: the map is read-only, and every access goes through the slice's bounds.
        // What no type can exclude is the file changing under it while it is mapped (the map
        // is shared with the page cache, as every read-only file map is in practice): if
        // another process truncates it, or the storage behind it fails, touching a page that
        // is gone raises SIGBUS and ends the process; if another process rewrites bytes in
        // place, the reader sees them change (it parses each byte once and checks every
        // length against the window, so that is garbage in, not a wild read). ripgrep makes
        // the same trade. `--no-mmap` reads instead, for files something else may shorten or
        // rewrite meanwhile; a file that grows (a capture still being written) is safe, and
        // only the part present when it was opened is read.
        #[allow(unsafe_code)]
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(start)
                .len(len)
                .map(&self.file)
        }?;
        // Read front to back once: let the kernel read ahead generously.
        let _ = map.advise(memmap2::Advice::Sequential);
        self.map = Some(map);
        self.base = start;
        Ok(())
    }
}

impl Source for MappedFile {
    type Input = MappedFile;
    fn into_input(self) -> MappedFile {
        self
    }
}

impl Input for MappedFile {
    #[inline]
    fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }

    fn base(&self) -> u64 {
        self.base
    }

    #[inline]
    fn ensure(&mut self, cursor: &mut usize, n: usize) -> Result<bool, CaptureError> {
        // Every record asks twice; the window moves once per 16 MiB.
        if self.bytes().len().saturating_sub(*cursor) >= n {
            return Ok(true);
        }
        self.slide(cursor, n)
    }
}

impl MappedFile {
    /// Moves the window so that `n` bytes from `*cursor` are in it, if the file has them.
    #[cold]
    #[inline(never)]
    fn slide(&mut self, cursor: &mut usize, n: usize) -> Result<bool, CaptureError> {
        let held = self.bytes().len();
        let at = self.base + *cursor as u64;
        let window_end = self.base + held as u64;
        let fits = at.saturating_add(n as u64) <= self.len;
        if !fits && window_end >= self.len {
            // The window already reaches the end of the file: what is left is all there is.
            return Ok(false);
        }
        // Slide the window to start at the cursor, and to the end of the file if it must end
        // short, so a truncated last record still shows what is left of it.
        let start = at - at % ALIGN;
        let len = (n as u64)
            .max(self.window)
            .saturating_add(at - start)
            .min(self.len - start);
        let len = usize::try_from(len).map_err(|_| CaptureError::Io {
            offset: start,
            source: std::io::ErrorKind::OutOfMemory.into(),
        })?;
        self.map(start, len).map_err(|source| CaptureError::Io {
            offset: start,
            source,
        })?;
        *cursor = (at - start) as usize;
        Ok(fits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtpscope::capture::fuzzing::outcome;
    use rtpscope::capture::InMemory;

    #[test]
    fn a_small_window_reads_what_memory_holds_across_every_edge() {
        // A generated pcap, and a real pcapng of two interfaces (blocks of several kinds).
        let pcapng = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/events-cn-2if.pcapng");
        let captures = [
            rtpscope::pipeline::synth_capture(12, 3_000, 5)
                .expect("synth")
                .to_vec(),
            std::fs::read(pcapng).expect("bundled pcapng"),
        ];
        let path = std::env::temp_dir().join(format!("rtpscope-map-{}.cap", std::process::id()));
        for capture in &captures {
            // The whole file, then cuts inside the header, inside records, on window edges.
            let len = capture.len();
            assert!(len > 5 * ALIGN as usize, "{len} bytes: too few windows");
            let align = ALIGN as usize;
            let cuts = [
                len,
                10,
                24 + 7,
                len / 3,
                align,
                2 * align + 1,
                3 * align - 1,
                len - 5,
            ];
            for cut in cuts {
                let bytes = &capture[..cut];
                std::fs::write(&path, bytes).expect("write");
                let file = File::open(&path).expect("open");
                // One alignment unit a window: records straddle the edges all through.
                let mapped = MappedFile::with_window(file, ALIGN).expect("a regular file");
                let (through_map, map_end) = outcome(mapped);
                let (in_memory, memory_end) = outcome(InMemory(bytes));
                assert_eq!(through_map.len(), in_memory.len(), "{len}, cut at {cut}");
                assert!(through_map == in_memory, "{len}, cut at {cut}");
                assert_eq!(map_end, memory_end, "{len}, cut at {cut}");
                if cut == len {
                    assert!(through_map.len() > 800, "{}", through_map.len());
                }
            }
        }
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn only_non_empty_regular_files_are_mapped() {
        let path = std::env::temp_dir().join(format!("rtpscope-empty-{}", std::process::id()));
        std::fs::write(&path, b"").expect("write");
        assert!(MappedFile::of(File::open(&path).expect("open")).is_err());
        let _ = std::fs::remove_file(&path);
        if let Ok(null) = File::open("/dev/null") {
            assert!(MappedFile::of(null).is_err());
        }
        // Regular, but on a file system that cannot map it: read instead.
        if let Ok(sysfs) = File::open("/sys/devices/system/cpu/online") {
            assert!(MappedFile::of(sysfs).is_err());
        }
    }
}
