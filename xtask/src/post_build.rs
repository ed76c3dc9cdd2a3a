//! `cargo xtask post-build <staging dir>`: Trunk's post-build hook. In a
//! release build, the files are made smaller (`shrink`: short names
//! between the wasm and its JS glue, `names`; the glue and the style sheet
//! without comments and indentation) and the page gets their integrity
//! hashes as they now are; then the page gets its Content-Security-Policy
//! (`csp`). One hook does both, in this order, since both write
//! `index.html`. Last, a release build's files get their precompressed
//! copies (`.gz`, `.br`).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha384};

use crate::run::Result;

pub fn run(args: &[String]) -> Result {
    let [dir] = args else {
        return Err("usage: cargo xtask post-build <Trunk's staging dir>".into());
    };
    let dir = Path::new(dir);
    let index = dir.join("index.html");
    // Trunk says which profile it built; a debug build keeps the names
    // that the browser's tools show.
    let release = std::env::var("TRUNK_PROFILE").as_deref() == Ok("release");
    let mut html = read(&index)?;
    if release {
        html = shrink(dir, &html)?;
    }
    write(&index, crate::csp::add_policy(&html)?.as_bytes())?;
    if release {
        precompress(dir)?;
    }
    Ok(())
}

/// Beside each file the page downloads, its gzip (by zopfli, which packs
/// about 5 % tighter than gzip -9) and its brotli, for a server to send
/// as they are (README: deploying). Not `config.json`: a deployment edits
/// it after the build, and a stale copy beside it would be served instead.
fn precompress(dir: &Path) -> Result {
    for ext in [".wasm", ".js", ".css", ".html", ".svg"] {
        for file in files(dir, ext)? {
            let path = dir.join(&file);
            let bytes = read_bytes(&path)?;
            let mut gz = Vec::new();
            zopfli::compress(
                zopfli::Options::default(),
                zopfli::Format::Gzip,
                &bytes[..],
                &mut gz,
            )
            .map_err(|e| format!("cannot compress {file}: {e}"))?;
            write(&dir.join(format!("{file}.gz")), &gz)?;
            write(&dir.join(format!("{file}.br")), &brotli(&bytes))?;
        }
    }
    Ok(())
}

/// `bytes` by brotli at its best (quality 11, a 4 MB window).
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        std::io::Write::write_all(&mut w, bytes).expect("writing to memory");
    }
    out
}

/// The release build made smaller: short names between the wasm and its
/// glue, the glue and the style sheets without comments and indentation;
/// and the page, with those files' integrity hashes as they now are.
fn shrink(dir: &Path, html: &str) -> Result<String> {
    let wasm_files = files(dir, "_bg.wasm")?;
    let [wasm_file] = wasm_files.as_slice() else {
        return Err(format!(
            "expected one *_bg.wasm in {}, found {wasm_files:?}",
            dir.display()
        ));
    };
    let js_file = wasm_file.replace("_bg.wasm", ".js");
    let wasm = read_bytes(&dir.join(wasm_file))?;
    let short = crate::names::shorten(&wasm, &read(&dir.join(&js_file))?)?;
    let js = compact(&short.js)?;
    write(&dir.join(wasm_file), &short.wasm)?;
    write(&dir.join(&js_file), js.as_bytes())?;
    let mut html = with_integrity(html, wasm_file, &short.wasm);
    html = with_integrity(&html, &js_file, js.as_bytes());
    for css in files(dir, ".css")? {
        let text = compact_css(&read(&dir.join(&css))?)?;
        write(&dir.join(&css), text.as_bytes())?;
        html = with_integrity(&html, &css, text.as_bytes());
    }
    Ok(html)
}

/// The names of the files in `dir` ending with `suffix`.
fn files(dir: &Path, suffix: &str) -> Result<Vec<String>> {
    Ok(std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(suffix))
        .collect())
}

/// A style sheet without its comments and indentation (0.6 KB of the
/// gzipped download). Quoted strings are copied as they are.
pub fn compact_css(css: &str) -> Result<String> {
    let mut bare = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(_) if c == '\n' || c == '\\' && chars.peek() == Some(&'\n') => {
                return Err("the style sheet has a string across lines".into());
            }
            Some(q) => {
                bare.push(c);
                if c == '\\' {
                    bare.extend(chars.next());
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '/' && chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                loop {
                    match chars.next() {
                        Some('/') if last == '*' => break,
                        Some(c) => last = c,
                        None => return Err("the style sheet has an unclosed comment".into()),
                    }
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                bare.push(c);
            }
        }
    }
    let mut out = String::with_capacity(bare.len());
    for line in bare.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// The glue without its comment lines and its indentation (0.9 KB of the
/// gzipped download). Lines stay lines, so nothing changes meaning; a
/// line that may continue a string (an odd number of backquotes, or a
/// trailing backslash) stops the build instead.
pub fn compact(js: &str) -> Result<String> {
    let mut out = String::with_capacity(js.len());
    for line in js.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        if line.matches('`').count() % 2 == 1 || line.ends_with('\\') {
            return Err(format!("the JS glue has a string across lines: {line}"));
        }
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// `html` with the `integrity` of each `<link>` to `file` set to the
/// SHA-384 of `content`.
pub fn with_integrity(html: &str, file: &str, content: &[u8]) -> String {
    let value = format!("sha384-{}", STANDARD.encode(Sha384::digest(content)));
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<link") {
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..end];
        out.push_str(&rest[..start]);
        let to_file = tag.contains(&format!("/{file}\"")) || tag.contains(&format!("\"{file}\""));
        match (to_file, tag.find("integrity=\"")) {
            (true, Some(i)) => {
                let from = i + "integrity=\"".len();
                let to = tag[from..].find('"').map_or(tag.len(), |e| from + e);
                out.push_str(&tag[..from]);
                out.push_str(&value);
                out.push_str(&tag[to..]);
            }
            _ => out.push_str(tag),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glue_loses_comment_lines_and_indentation_only() {
        let js = "function f(a) {\n    // Cast intrinsic for `F64`.\n    const s = '// not a comment';\n\n    return `${a}`;\n}\n";
        assert_eq!(
            compact(js).unwrap(),
            "function f(a) {\nconst s = '// not a comment';\nreturn `${a}`;\n}\n"
        );
        assert!(compact("const s = `one\ntwo`;\n").is_err());
        assert!(compact("const s = 'one\\\ntwo';\n").is_err());
    }

    #[test]
    fn the_style_sheet_loses_comments_and_indentation_only() {
        let css = "/* colours */\n:root {\n  --a: #fff; /* white */\n}\n\n.x::after {\n  content: \"/* kept */\";\n  font-family: 'a\\'/*b';\n}\n";
        assert_eq!(
            compact_css(css).unwrap(),
            ":root {\n--a: #fff;\n}\n.x::after {\ncontent: \"/* kept */\";\nfont-family: 'a\\'/*b';\n}\n"
        );
        assert!(compact_css("a { color: red; } /* open").is_err());
        assert!(compact_css("a::after { content: \"one\\\n  two\"; }").is_err());
    }

    #[test]
    fn only_the_files_links_get_the_new_integrity() {
        let html = r#"<link rel="stylesheet" href="/main.css" integrity="sha384-css"/>
<link rel="modulepreload" href="/app-1.js" crossorigin="anonymous" integrity="sha384-old"><link rel="preload" href="/app-1_bg.wasm" integrity="sha384-oldwasm" as="fetch">"#;
        let out = with_integrity(html, "app-1.js", b"abc");
        let expected = format!("sha384-{}", STANDARD.encode(Sha384::digest(b"abc")));
        assert!(
            out.contains(&format!(
                r#"href="/app-1.js" crossorigin="anonymous" integrity="{expected}">"#
            )),
            "{out}"
        );
        assert!(out.contains(r#"integrity="sha384-css""#));
        assert!(out.contains(r#"href="/app-1_bg.wasm" integrity="sha384-oldwasm""#));
        assert_eq!(
            with_integrity("<p>no links</p>", "app-1.js", b"abc"),
            "<p>no links</p>"
        );
    }
}
