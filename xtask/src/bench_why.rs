//! The *why* of the wasm's size: the code of the release build (before
//! wasm-bindgen and wasm-opt, whose name section is still there) summed by
//! the crate each function comes from.

use std::collections::HashMap;
use std::path::Path;

use crate::run::Result;

/// Prints the crates with the most code, largest first.
pub fn print(wasm: &Path) -> Result {
    let bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let (imports, bodies, names) = parse(&bytes).ok_or("the wasm could not be read")?;
    let mut by_crate: HashMap<String, usize> = HashMap::new();
    let total: usize = bodies.iter().sum();
    for (i, size) in bodies.iter().enumerate() {
        let name = names.get(&(imports + i)).map(String::as_str).unwrap_or("?");
        *by_crate.entry(crate_of(name)).or_default() += size;
    }
    let mut rows: Vec<_> = by_crate.into_iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
    println!(
        "\nWhere the wasm's code comes from (release build before wasm-opt, {:.1} KB of code):\n",
        total as f64 / 1000.0
    );
    for (name, size) in rows.iter().take(15) {
        println!(
            "{:<36} {:>9.1} KB {:>5.1} %",
            name,
            *size as f64 / 1000.0,
            100.0 * *size as f64 / total as f64
        );
    }
    Ok(())
}

/// The crate a (demangled or legacy-mangled) function name belongs to; for
/// `<T as Trait>::f`, the trait's crate (the type is often generic).
fn crate_of(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("_ZN") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let len: usize = digits.parse().unwrap_or(0);
        let first = rest[digits.len()..].get(..len).unwrap_or("?");
        let first = first
            .trim_start_matches('_')
            .replace("$LT$", "<")
            .replace("$GT$", ">")
            .replace("$u20$", " ")
            .replace("$RF$", "&")
            .replace("..", "::");
        return crate_of(&first);
    }
    let name = match (name.strip_prefix('<'), name.find(" as ")) {
        (Some(_), Some(i)) => &name[i + 4..],
        (Some(inner), None) => inner,
        _ => name,
    };
    let name = name
        .trim_start_matches(['<', '&'])
        .trim_start_matches("mut ");
    let end = name.find("::").unwrap_or(name.len());
    let krate = &name[..end];
    match krate.find(['[', '<', '>']) {
        Some(i) => krate[..i].to_owned(),
        None => krate.to_owned(),
    }
}

fn leb(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let (mut value, mut shift) = (0usize, 0);
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        value |= usize::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(value);
        }
        shift += 7;
    }
}

/// Imported functions, each defined function's body size, and the names.
fn parse(bytes: &[u8]) -> Option<(usize, Vec<usize>, HashMap<usize, String>)> {
    let mut at = 8;
    let (mut imports, mut bodies, mut names) = (0, Vec::new(), HashMap::new());
    while at < bytes.len() {
        let id = bytes[at];
        at += 1;
        let size = leb(bytes, &mut at)?;
        let end = at + size;
        let mut p = at;
        match id {
            2 => {
                for _ in 0..leb(bytes, &mut p)? {
                    for _ in 0..2 {
                        let n = leb(bytes, &mut p)?;
                        p += n;
                    }
                    let kind = bytes[p];
                    p += 1;
                    match kind {
                        0 => {
                            leb(bytes, &mut p)?;
                            imports += 1;
                        }
                        1 => {
                            p += 1;
                            let flags = leb(bytes, &mut p)?;
                            leb(bytes, &mut p)?;
                            if flags & 1 == 1 {
                                leb(bytes, &mut p)?;
                            }
                        }
                        2 => {
                            let flags = leb(bytes, &mut p)?;
                            leb(bytes, &mut p)?;
                            if flags & 1 == 1 {
                                leb(bytes, &mut p)?;
                            }
                        }
                        3 => p += 2,
                        _ => return None,
                    }
                }
            }
            10 => {
                for _ in 0..leb(bytes, &mut p)? {
                    let n = leb(bytes, &mut p)?;
                    bodies.push(n);
                    p += n;
                }
            }
            0 => {
                let n = leb(bytes, &mut p)?;
                let section = std::str::from_utf8(bytes.get(p..p + n)?).ok()?;
                p += n;
                if section == "name" {
                    while p < end {
                        let sub = bytes[p];
                        p += 1;
                        let len = leb(bytes, &mut p)?;
                        let sub_end = p + len;
                        if sub == 1 {
                            for _ in 0..leb(bytes, &mut p)? {
                                let index = leb(bytes, &mut p)?;
                                let n = leb(bytes, &mut p)?;
                                let name =
                                    String::from_utf8_lossy(bytes.get(p..p + n)?).into_owned();
                                p += n;
                                names.insert(index, name);
                            }
                        }
                        p = sub_end;
                    }
                }
            }
            _ => {}
        }
        at = end;
    }
    Some((imports, bodies, names))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_given_to_their_crate() {
        assert_eq!(
            super::crate_of("serde_json::de::from_str::h1"),
            "serde_json"
        );
        assert_eq!(
            super::crate_of("<my::X as tachys::view::Render>::build"),
            "tachys"
        );
        assert_eq!(
            super::crate_of("_ZN13link_accounts4main17h"),
            "link_accounts"
        );
        assert_eq!(super::crate_of("dlmalloc[e24a]::x"), "dlmalloc");
        assert_eq!(
            super::crate_of(
                "_ZN72_$LT$F$u20$as$u20$tachys..reactive_graph..ReactiveFunction$GT$6invoke17h"
            ),
            "tachys"
        );
    }
}
