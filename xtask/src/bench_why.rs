//! The *why* of the wasm's size: the code of the release build (before
//! wasm-bindgen and wasm-opt, whose name section is still there) summed by
//! the crate each function comes from.

use std::collections::HashMap;
use std::path::Path;

use crate::run::Result;
use crate::wasm;

/// `cargo xtask why [wasm]`: [`print`] for a wasm, by default the last
/// release build's (in the target directory cargo uses).
/// With `--crate NAME`, the largest functions of that crate instead.
pub fn run(args: &[String]) -> Result {
    let (krate, rest) = match args {
        [flag, name, rest @ ..] if flag == "--crate" => (Some(name.as_str()), rest),
        rest => (None, rest),
    };
    let wasm = match rest {
        [] => crate::run::target_dir().join("wasm32-unknown-unknown/release/link-accounts.wasm"),
        [path] => path.into(),
        _ => return Err("usage: cargo xtask why [--crate NAME] [wasm]".into()),
    };
    match krate {
        Some(name) => functions(&wasm, name),
        None => print(&wasm),
    }
}

/// The 40 largest functions of crate `name`, with their size.
fn functions(wasm: &Path, name: &str) -> Result {
    let bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let (imports, bodies, names) =
        parse(&bytes).map_err(|e| format!("the wasm could not be read: {e}"))?;
    let mut rows: Vec<(usize, &str)> = bodies
        .iter()
        .enumerate()
        .filter_map(|(i, size)| {
            let f = names.get(&(imports + i))?;
            (crate_of(f) == name).then_some((*size, f.as_str()))
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let total: usize = rows.iter().map(|r| r.0).sum();
    println!(
        "{} functions of {name}, {:.1} KB:\n",
        rows.len(),
        total as f64 / 1000.0
    );
    for (size, f) in rows.iter().take(40) {
        println!("{:>8.1} KB  {f}", *size as f64 / 1000.0);
    }
    Ok(())
}

/// Prints the crates with the most code, largest first.
pub fn print(wasm: &Path) -> Result {
    let bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let (imports, bodies, names) =
        parse(&bytes).map_err(|e| format!("the wasm could not be read: {e}"))?;
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
    let row = |name: &str, size: usize| {
        println!(
            "{:<36} {:>9.1} KB {:>5.1} %",
            name,
            size as f64 / 1000.0,
            100.0 * size as f64 / total as f64
        );
    };
    for (name, size) in rows.iter().take(15) {
        row(name, *size);
    }
    println!(
        "\nThe libraries the page's JSON, storage and encoding go through, by the code each adds \
         (serde: the derived code of our types; serde_json: its reader and writer):\n"
    );
    for library in LIBRARIES {
        let size = rows.iter().find(|(n, _)| n == library).map_or(0, |r| r.1);
        row(library, size);
    }
    Ok(())
}

/// The libraries put back in place of hand-written code (issue 24).
const LIBRARIES: [&str; 7] = [
    "serde",
    "serde_core",
    "serde_json",
    "gloo_storage",
    "form_urlencoded",
    "percent_encoding",
    "base64",
];

/// The crate a (demangled or legacy-mangled) function name belongs to; for
/// `<T as Trait>::f`, the trait's crate (the type is often generic); for
/// a v0-mangled name (`_R…`, as std's are), the crate that defines it.
fn crate_of(name: &str) -> String {
    if let Some(path) = name.strip_prefix("_R") {
        return v0_crate(path).unwrap_or("?").to_owned();
    }
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

/// The first crate root of a v0-mangled path: `C`, an optional
/// disambiguator (`s`, base-62 digits, `_`), then the crate's name after
/// its length (and a `_` where the name starts with a digit or `_`).
fn v0_crate(path: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(at) = path[from..].find('C') {
        let mut i = from + at + 1;
        if path[i..].starts_with('s') {
            i += path[i..].find('_')? + 1;
        }
        let digits = path[i..].bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            let len: usize = path[i..i + digits].parse().ok()?;
            let start = i + digits + usize::from(path[i + digits..].starts_with('_'));
            return path.get(start..start + len);
        }
        from = i;
    }
    None
}

/// Imported functions, each defined function's body size, and the names.
fn parse(bytes: &[u8]) -> Result<(usize, Vec<usize>, HashMap<usize, String>)> {
    let (mut imports, mut bodies, mut names) = (0, Vec::new(), HashMap::new());
    for section in wasm::sections(bytes)? {
        let body = &bytes[section.body];
        match section.id {
            2 => {
                // Functions first in the index space: the imported ones.
                imports = wasm::imports(body)?
                    .iter()
                    .filter(|i| i.desc[0] == 0)
                    .count();
            }
            10 => {
                // Each function's body: its size, then its code.
                (bodies, _) = wasm::vector(body, 0, |b, p| {
                    let (size, start) = wasm::leb(b, p)?;
                    Ok((size as usize, start + size as usize))
                })?;
            }
            0 => {
                let (section, mut p) = wasm::name(body, 0)?;
                if section != "name" {
                    continue;
                }
                while p < body.len() {
                    let sub = body[p];
                    let (len, start) = wasm::leb(body, p + 1)?;
                    p = start + len as usize;
                    if sub != 1 {
                        continue;
                    }
                    // Function names: index, then name, each.
                    let (found, _) = wasm::vector(body, start, |b, q| {
                        let (index, r) = wasm::leb(b, q)?;
                        let (len, r) = wasm::leb(b, r)?;
                        let end = r + len as usize;
                        let name = b.get(r..end).ok_or("a name is cut short")?;
                        let name = String::from_utf8_lossy(name).into_owned();
                        Ok(((index as usize, name), end))
                    })?;
                    names.extend(found);
                }
            }
            _ => {}
        }
    }
    Ok((imports, bodies, names))
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
                "_RNvMs0_NtCsjqx8TIyZbP9_8dlmalloc8dlmallocINtB5_8DlmallocNtNtB7_3sys6SystemE6mallocCsebHcaeoSrxy_3std"
            ),
            "dlmalloc"
        );
        assert_eq!(super::crate_of("_RNvCs1C_4core3foo"), "core");
        assert_eq!(super::crate_of("_RNvC3std3foo"), "std");
        assert_eq!(
            super::crate_of(
                "_ZN72_$LT$F$u20$as$u20$tachys..reactive_graph..ReactiveFunction$GT$6invoke17h"
            ),
            "tachys"
        );
    }
}
