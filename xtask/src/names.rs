//! Short names between the wasm and its JS glue, for a release build.
//!
//! wasm-bindgen names each import after its function and a 16-digit hash
//! (`__wbg_fetch_8d9b732df7467c44`), and the wasm's exports after Rust
//! symbols (`wasm_bindgen__convert__closures_____invoke__h40a7…`). Each
//! name is written twice, once in the wasm and once in the JS, and hashes
//! do not compress: about 5 KB of the gzipped download. The names are only
//! the handshake between those two files, so they are replaced by short
//! ones in both: the wasm's import and export sections, the keys of the
//! glue's imports object and its `wasm.<export>` reads. Anything in the JS
//! that does not have the shape this expects stops the build, so a new
//! wasm-bindgen cannot produce a page that does not start. A class of the
//! glue whose exports are gone from the wasm is cut on the way (see
//! `cut_dead_classes`).

use crate::run::Result;
use crate::wasm::{self, put_name, uleb};

/// A wasm file and its JS glue, with the short names in both.
#[derive(Debug)]
pub struct Shortened {
    pub wasm: Vec<u8>,
    pub js: String,
}

pub fn shorten(wasm: &[u8], js: &str) -> Result<Shortened> {
    let sections = wasm::sections(wasm)?;
    let mut js = js.to_owned();
    let mut out = wasm[..8].to_vec();
    for section in sections {
        let body = &wasm[section.body.clone()];
        let new_body = match section.id {
            2 => imports(body, &mut js)?,
            7 => exports(body, &mut js)?,
            _ => {
                out.extend_from_slice(&wasm[section.whole]);
                continue;
            }
        };
        out.push(section.id);
        out.extend(uleb(new_body.len() as u32));
        out.extend(new_body);
    }
    Ok(Shortened { wasm: out, js })
}

/// The import section with short names; each import's key in the glue's
/// imports object, and each module's, renamed to match.
fn imports(body: &[u8], js: &mut String) -> Result<Vec<u8>> {
    let list = wasm::imports(body)?;
    let mut modules: Vec<&str> = Vec::new();
    for i in &list {
        if !modules.contains(&i.module) {
            modules.push(i.module);
        }
    }
    for (n, module) in modules.iter().enumerate() {
        let key = format!("\"{module}\": ");
        if js.matches(&key).count() != 1 {
            return Err(format!(
                "the JS glue does not list the imports of {module} once"
            ));
        }
        *js = js.replace(&key, &format!("\"{}\": ", short(n)));
    }
    let mut out = uleb(list.len() as u32);
    for (n, i) in list.iter().enumerate() {
        let new = short(n);
        rename_key(js, i.name, &new)?;
        let m = modules.iter().position(|m| *m == i.module).expect("listed");
        put_name(&mut out, &short(m));
        put_name(&mut out, &new);
        out.extend_from_slice(i.desc);
    }
    Ok(out)
}

/// The export section with short names; each `wasm.<name>` in the glue
/// renamed to match, and the glue's classes whose exports are gone cut.
fn exports(body: &[u8], js: &mut String) -> Result<Vec<u8>> {
    let list = wasm::exports(body)?;
    let names: Vec<&str> = list.iter().map(|e| e.name).collect();
    cut_dead_classes(js, &names)?;
    let mut out = uleb(list.len() as u32);
    for (n, e) in list.iter().enumerate() {
        let new = short(n);
        rename_reads(js, e.name, &new)?;
        put_name(&mut out, &new);
        out.extend_from_slice(e.desc);
    }
    Ok(out)
}

/// Cuts each `export class` of the glue whose every `wasm.<export>` read
/// names an export the wasm does not have (wasm-opt took them out, see
/// `index.html`): the class, its `Symbol.dispose` line and its
/// finalization registry. Anything else naming the class stops.
fn cut_dead_classes(js: &mut String, exports: &[&str]) -> Result {
    let mut from = 0;
    while let Some(start) = line_starting(js, from, "export class ") {
        let name_at = start + "export class ".len();
        let class: String = js[name_at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let end = js[start..]
            .find("\n}\n")
            .map(|e| start + e + 3)
            .ok_or_else(|| format!("the JS glue's class {class} does not end"))?;
        let reads: Vec<&str> = js[start..end]
            .split("wasm.")
            .skip(1)
            .map(|r| {
                r.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or("")
            })
            .collect();
        if reads.is_empty() || reads.iter().any(|r| exports.contains(r)) {
            from = end;
            continue;
        }
        js.replace_range(start..end, "");
        let dispose = format!(
            "if (Symbol.dispose) {class}.prototype[Symbol.dispose] = {class}.prototype.free;\n"
        );
        *js = js.replacen(&dispose, "", 1);
        let registry = format!("const {class}Finalization = ");
        if let Some(at) = js.find(&registry) {
            let end = js[at..]
                .find(";\n")
                .map(|e| at + e + 2)
                .ok_or_else(|| format!("the JS glue's {class}Finalization does not end"))?;
            js.replace_range(at..end, "");
        }
        if !identifiers(js, &class).is_empty() {
            return Err(format!(
                "the JS glue still names the class {class}, whose exports are gone"
            ));
        }
        from = start;
    }
    Ok(())
}

/// Where the first line at or after `from` that starts with `text` starts.
fn line_starting(js: &str, from: usize, text: &str) -> Option<usize> {
    let mut at = from;
    loop {
        let found = at + js[at..].find(text)?;
        if found == 0 || js.as_bytes()[found - 1] == b'\n' {
            return Some(found);
        }
        at = found + 1;
    }
}

/// Renames the imports object's key `old:`, which must be the only
/// `old` in the JS.
fn rename_key(js: &mut String, old: &str, new: &str) -> Result {
    let at = identifiers(js, old);
    match at.as_slice() {
        [i] if js[i + old.len()..].starts_with(':') => {
            js.replace_range(*i..i + old.len(), new);
            Ok(())
        }
        _ => Err(format!(
            "the JS glue does not have the import {old} once, as a key"
        )),
    }
}

/// Renames every `wasm.old`; `old` read from anything else stops.
fn rename_reads(js: &mut String, old: &str, new: &str) -> Result {
    for i in identifiers(js, old).into_iter().rev() {
        let before = &js[..i];
        if before.ends_with("wasm.") {
            js.replace_range(i..i + old.len(), new);
        } else if before.ends_with('.') || js[i + old.len()..].starts_with(':') {
            return Err(format!(
                "the JS glue reads the export {old} other than as wasm.{old}"
            ));
        }
    }
    Ok(())
}

/// Where `word` stands as a whole identifier in `js`.
fn identifiers(js: &str, word: &str) -> Vec<usize> {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    js.match_indices(word)
        .map(|(i, _)| i)
        .filter(|&i| {
            !js[..i].chars().next_back().is_some_and(part)
                && !js[i + word.len()..].chars().next().is_some_and(part)
        })
        .collect()
}

/// The `n`th short name: `a`…`z`, `A`…`Z`, then two letters, and so on.
fn short(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut s = String::new();
    loop {
        s.push(LETTERS[n % LETTERS.len()] as char);
        n /= LETTERS.len();
        if n == 0 {
            return s;
        }
        n -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing `__wbg_log_0123456789abcdef` (a function) and a
    /// memory from `./app_bg.js`, and exporting `memory` and
    /// `__wbindgen_malloc`; with its glue.
    fn module() -> (Vec<u8>, String) {
        let mut imports = uleb(2);
        for (field, desc) in [
            ("__wbg_log_0123456789abcdef", vec![0u8, 0]),
            ("__wbindgen_memory", vec![2u8, 1, 1, 16]),
        ] {
            put_name(&mut imports, "./app_bg.js");
            put_name(&mut imports, field);
            imports.extend(desc);
        }
        let mut exports = uleb(2);
        for (field, desc) in [("memory", [2u8, 0]), ("__wbindgen_malloc", [0u8, 1])] {
            put_name(&mut exports, field);
            exports.extend(desc);
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // A type section, kept as it is.
        wasm.extend([1, 4, 1, 0x60, 0, 0]);
        for (id, body) in [(2u8, imports), (7, exports)] {
            wasm.push(id);
            wasm.extend(uleb(body.len() as u32));
            wasm.extend(body);
        }
        let js = "function get() {\n    const import0 = {\n        __proto__: null,\n        \
                  __wbg_log_0123456789abcdef: function(a) { console.log(a); },\n        \
                  __wbindgen_memory: function() { return wasm.memory; },\n    };\n    \
                  return { \"./app_bg.js\": import0 };\n}\n\
                  function malloc(n) { return wasm.__wbindgen_malloc(n); }\n\
                  const memory = 1;\n"
            .to_owned();
        (wasm, js)
    }

    fn names(module: &[u8], section: u8) -> Vec<String> {
        let found = wasm::sections(module).unwrap();
        let body = &module[found.iter().find(|s| s.id == section).unwrap().body.clone()];
        if section == 2 {
            let list = wasm::imports(body).unwrap();
            list.iter()
                .map(|i| format!("{} {}", i.module, i.name))
                .collect()
        } else {
            let list = wasm::exports(body).unwrap();
            list.iter().map(|e| e.name.to_owned()).collect()
        }
    }

    #[test]
    fn both_files_get_the_same_short_names() {
        let (wasm, js) = module();
        let out = shorten(&wasm, &js).unwrap();
        assert_eq!(names(&out.wasm, 2), ["a a", "a b"]);
        assert_eq!(names(&out.wasm, 7), ["a", "b"]);
        assert!(
            out.js
                .contains("        a: function(a) { console.log(a); }")
        );
        assert!(out.js.contains("        b: function() { return wasm.a; }"));
        assert!(out.js.contains("return { \"a\": import0 };"));
        assert!(out.js.contains("return wasm.b(n);"));
        // What is not the handshake stays.
        assert!(out.js.contains("const memory = 1;"));
        assert!(out.js.contains("__proto__: null"));
        // The type section, and the descriptions, are as they were.
        assert_eq!(&out.wasm[8..14], &wasm[8..14]);
        assert!(out.wasm.len() < wasm.len());
    }

    #[test]
    fn a_glue_of_another_shape_stops_the_build() {
        let (wasm, js) = module();
        for (what, changed) in [
            (
                "an import read elsewhere",
                js.replace("console.log(a)", "__wbg_log_0123456789abcdef(a)"),
            ),
            (
                "an import missing",
                js.replace("__wbindgen_memory:", "other:"),
            ),
            (
                "an export read otherwise",
                js.replace("wasm.__wbindgen_malloc(n)", "exports.__wbindgen_malloc(n)"),
            ),
            (
                "the module's key missing",
                js.replace("\"./app_bg.js\"", "\"./other.js\""),
            ),
        ] {
            assert!(shorten(&wasm, &changed).is_err(), "{what}");
        }
        assert!(shorten(b"\0asm", &js).is_err());
        assert!(shorten(&wasm[..wasm.len() - 3], &js).is_err(), "cut short");
    }

    #[test]
    fn a_class_whose_exports_are_gone_is_cut() {
        let (wasm, js) = module();
        let dead = "\nexport class Stream {\n    free() {\n        StreamFinalization.unregister(this);\n        \
                    wasm.__wbg_stream_free(this.ptr);\n    }\n    pull() {\n        return wasm.stream_pull(this.ptr);\n    }\n}\n\
                    if (Symbol.dispose) Stream.prototype[Symbol.dispose] = Stream.prototype.free;\n";
        let live = "\nexport class Live {\n    get() {\n        return wasm.__wbindgen_malloc(1);\n    }\n}\n";
        let registry = "const StreamFinalization = (typeof FinalizationRegistry === 'undefined')\n    \
                        ? { register: () => {}, unregister: () => {} }\n    \
                        : new FinalizationRegistry(ptr => wasm.__wbg_stream_free(ptr, 1));\n";
        let glue = format!("{}{live}{js}{registry}", &dead[1..]);
        let out = shorten(&wasm, &glue).unwrap();
        assert!(!out.js.contains("Stream"), "{}", out.js);
        assert!(
            out.js
                .contains("export class Live {\n    get() {\n        return wasm.b(1);")
        );
        assert!(out.js.ends_with("const memory = 1;\n"), "{}", out.js);
        // Something else still naming the class stops the build.
        let used = format!("{dead}{js}{registry}new Stream();\n");
        assert!(shorten(&wasm, &used).is_err());
    }

    #[test]
    fn short_names_are_distinct_identifiers() {
        let all: Vec<String> = (0..3000).map(short).collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
        assert_eq!((&all[0][..], &all[51][..], &all[52][..]), ("a", "Z", "aa"));
        assert!(
            all.iter()
                .all(|s| s.bytes().all(|b| b.is_ascii_alphabetic()))
        );
    }
}
