//! serde_json's pretty layout (two spaces a level) starting at a given depth, so a
//! value written on its own sits where serde would have put it inside its parent.
//! A streamed document is written one part at a time; writing each part already
//! indented saves re-reading every byte to indent it afterwards.

use serde_json::ser::Formatter;
use std::io::{self, Write};

/// serde_json's `PrettyFormatter` with two-space indentation, starting `depth` levels in.
pub struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    /// A formatter whose outermost value's lines are indented by `depth` levels.
    pub fn at(depth: usize) -> Self {
        Nested {
            depth,
            has_value: false,
        }
    }
}

/// Writes `depth` levels of indentation.
fn indent<W: ?Sized + Write>(w: &mut W, depth: usize) -> io::Result<()> {
    const SPACES: &[u8] = &[b' '; 64];
    let mut n = depth * 2;
    while n > 0 {
        let k = n.min(SPACES.len());
        w.write_all(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
}

impl Nested {
    /// `[` or `{`: one level deeper, nothing in it yet.
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`, on its own line when something came before it.
    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.depth)?;
        }
        w.write_all(bracket)
    }

    /// The line break and indentation before an item or a key.
    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.depth)
    }
}

impl Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// `value` as pretty JSON whose lines after the first are indented `depth` levels,
/// appended to `buf`.
pub fn write_at<T: serde::Serialize + ?Sized>(
    value: &T,
    depth: usize,
    buf: &mut Vec<u8>,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(buf, Nested::at(depth));
    value.serialize(&mut ser).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// serde's pretty JSON with every line but the first indented `depth` levels.
    fn indented(v: &serde_json::Value, depth: usize) -> String {
        let pad = "  ".repeat(depth);
        serde_json::to_string_pretty(v)
            .unwrap()
            .replace('\n', &format!("\n{pad}"))
    }

    #[test]
    fn it_writes_what_serdes_pretty_json_indented_would() {
        let v = json!({
            "a": [1, {"b": [], "c": {}}, [[]], "x\ny"],
            "d": {"e": null, "f": [true, false]},
            "g": "",
        });
        for depth in [0, 1, 3, 40] {
            let mut buf = Vec::new();
            write_at(&v, depth, &mut buf).unwrap();
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                indented(&v, depth),
                "depth {depth}"
            );
        }
    }
}
