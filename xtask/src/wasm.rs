//! Reading a wasm binary, as much as `names` (which rewrites its import
//! and export sections) and `bench_why` (which sums its code by crate)
//! need: its sections, the entries of those two, vectors, names and
//! LEB128 numbers.

use std::ops::Range;

use crate::run::Result;

/// One section: its id, where it starts (its id's byte) and ends, and
/// where its contents are.
pub struct Section {
    pub id: u8,
    pub whole: Range<usize>,
    pub body: Range<usize>,
}

/// One import: module, name, and its description's bytes (kind first).
pub struct Import<'a> {
    pub module: &'a str,
    pub name: &'a str,
    pub desc: &'a [u8],
}

/// One export: name, and its kind's byte and index, as they were.
pub struct Export<'a> {
    pub name: &'a str,
    pub desc: &'a [u8],
}

/// The module's sections, in order.
pub fn sections(wasm: &[u8]) -> Result<Vec<Section>> {
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        return Err("not a wasm file".into());
    }
    let mut found = Vec::new();
    let mut pos = 8;
    while pos < wasm.len() {
        let (size, start) = leb(wasm, pos + 1)?;
        let end = start
            .checked_add(size as usize)
            .filter(|&e| e <= wasm.len())
            .ok_or("a wasm section runs past the end of the file")?;
        found.push(Section {
            id: wasm[pos],
            whole: pos..end,
            body: start..end,
        });
        pos = end;
    }
    Ok(found)
}

/// The entries of an import section's contents.
pub fn imports(body: &[u8]) -> Result<Vec<Import<'_>>> {
    let (list, _) = vector(body, 0, |b, p| {
        let (module, q) = name(b, p)?;
        let (field, q) = name(b, q)?;
        let end = desc_end(b, q)?;
        let desc = &b[q..end];
        Ok((
            Import {
                module,
                name: field,
                desc,
            },
            end,
        ))
    })?;
    Ok(list)
}

/// The entries of an export section's contents.
pub fn exports(body: &[u8]) -> Result<Vec<Export<'_>>> {
    let (list, _) = vector(body, 0, |b, p| {
        let (field, q) = name(b, p)?;
        // A kind byte, then an index.
        let (_, end) = leb(b, q + 1)?;
        let desc = &b[q..end];
        Ok((Export { name: field, desc }, end))
    })?;
    Ok(list)
}

/// A vector at `p` (its length, then each entry, read by `entry` from
/// where it starts to the entry and where it ends): the entries, and where
/// the vector ends.
pub fn vector<'a, T>(
    b: &'a [u8],
    p: usize,
    entry: impl Fn(&'a [u8], usize) -> Result<(T, usize)>,
) -> Result<(Vec<T>, usize)> {
    let (count, mut p) = leb(b, p)?;
    let mut list = Vec::new();
    for _ in 0..count {
        let (item, end) = entry(b, p)?;
        list.push(item);
        p = end;
    }
    Ok((list, p))
}

/// Where an import's description ends, from where it starts.
fn desc_end(b: &[u8], p: usize) -> Result<usize> {
    let kind = *b.get(p).ok_or("an import is cut short")?;
    let limits = |p: usize| -> Result<usize> {
        let flags = *b.get(p).ok_or("an import is cut short")?;
        let (_, q) = leb(b, p + 1)?;
        Ok(if flags & 1 == 1 { leb(b, q)?.1 } else { q })
    };
    match kind {
        // A function's type, or a tag's attribute and type.
        0 => Ok(leb(b, p + 1)?.1),
        4 => Ok(leb(b, p + 2)?.1),
        // A table's element type, then its limits.
        1 => limits(p + 2),
        2 => limits(p + 1),
        // A global's type and mutability.
        3 => Ok(p + 3),
        k => Err(format!("an import of unknown kind {k}")),
    }
}

/// A name (its length, then UTF-8), and where it ends.
pub fn name(b: &[u8], p: usize) -> Result<(&str, usize)> {
    let (len, start) = leb(b, p)?;
    let end = start + len as usize;
    let bytes = b.get(start..end).ok_or("a name is cut short")?;
    let s = std::str::from_utf8(bytes).map_err(|_| "a name is not UTF-8")?;
    Ok((s, end))
}

pub fn put_name(out: &mut Vec<u8>, s: &str) {
    out.extend(uleb(s.len() as u32));
    out.extend_from_slice(s.as_bytes());
}

/// An unsigned LEB128 number, and where it ends.
pub fn leb(b: &[u8], mut p: usize) -> Result<(u32, usize)> {
    let mut value: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *b.get(p).ok_or("a number is cut short")?;
        p += 1;
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, p));
        }
    }
    Err("a number is too long".into())
}

pub fn uleb(mut n: u32) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}
