//! The tenant's own pages: plain, accessible HTML, every value escaped.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::store::Login;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;\
padding:0 1rem;line-height:1.5}button,input{font:inherit;padding:.45rem .7rem}\
button{cursor:pointer;width:100%;margin:.3rem 0}label{display:block;margin-top:.6rem}\
input{width:100%;box-sizing:border-box}.problem{color:#b3261e}\
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}";

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} · dev tenant</title><style>{STYLE}</style></head>\
         <body><main><h1>{t}</h1>{body}</main></body></html>",
        t = esc(title)
    );
    (status, Html(html)).into_response()
}

fn problem(p: Option<&str>) -> String {
    p.map(|p| format!("<p class=\"problem\" role=\"alert\">{}</p>", esc(p)))
        .unwrap_or_default()
}

fn cancel(tx: &str) -> String {
    format!(
        "<p><a href=\"/login/cancel?tx={}\" id=\"cancel\">Cancel</a></p>",
        esc(tx)
    )
}

/// An error the tenant shows itself and never redirects from.
pub fn error(status: StatusCode, message: &str) -> Response {
    page(
        status,
        "Something is wrong",
        &format!("<p role=\"alert\" id=\"error\">{}</p>", esc(message)),
    )
}

pub fn choose_connection(tx: &str, connections: &[String]) -> Response {
    let links: String = connections
        .iter()
        .map(|c| {
            format!(
                "<li><a href=\"/login?tx={}&amp;connection={}\">Sign in with {}</a></li>",
                esc(tx),
                esc(&urlencode(c)),
                esc(c)
            )
        })
        .collect();
    page(
        StatusCode::OK,
        "Sign in",
        &format!("<ul>{links}</ul>{}", cancel(tx)),
    )
}

/// One button per account of a social connection: "Continue as <email>".
pub fn social(tx: &str, connection: &str, logins: &[Login], p: Option<&str>) -> Response {
    let buttons: String = logins
        .iter()
        .map(|l| {
            let who = l
                .email
                .as_deref()
                .or(l.phone.as_deref())
                .unwrap_or(&l.identity);
            format!(
                "<form method=\"post\" action=\"/login/social\">\
                 <input type=\"hidden\" name=\"tx\" value=\"{}\">\
                 <input type=\"hidden\" name=\"connection\" value=\"{}\">\
                 <input type=\"hidden\" name=\"identity\" value=\"{}\">\
                 <button type=\"submit\">Continue as {}</button></form>",
                esc(tx),
                esc(connection),
                esc(&l.identity),
                esc(who)
            )
        })
        .collect();
    page(
        StatusCode::OK,
        &format!("Sign in with {connection}"),
        &format!(
            "{}<p>Choose an account.</p>{buttons}{}",
            problem(p),
            cancel(tx)
        ),
    )
}

pub fn password(tx: &str, hint: Option<&str>, p: Option<&str>) -> Response {
    page(
        StatusCode::OK,
        "Sign in with email and password",
        &format!(
            "{}<form method=\"post\" action=\"/login/password\">\
             <input type=\"hidden\" name=\"tx\" value=\"{}\">\
             <label for=\"email\">Email</label>\
             <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" value=\"{}\" required>\
             <label for=\"password\">Password</label>\
             <input id=\"password\" name=\"password\" type=\"password\" \
             autocomplete=\"current-password\" required>\
             <button type=\"submit\">Continue</button></form>{}",
            problem(p),
            esc(tx),
            esc(hint.unwrap_or_default()),
            cancel(tx)
        ),
    )
}

/// The first step of a one-time code login: by SMS (`sms`), or by email.
pub fn passwordless_start(
    tx: &str,
    connection: &str,
    sms: bool,
    hint: Option<&str>,
    p: Option<&str>,
) -> Response {
    let (label, kind, auto) = if sms {
        ("Phone number", "tel", "tel")
    } else {
        ("Email", "email", "email")
    };
    page(
        StatusCode::OK,
        &format!(
            "Sign in with a code by {}",
            if sms { "SMS" } else { "email" }
        ),
        &format!(
            "{}<form method=\"post\" action=\"/login/passwordless/start\">\
             <input type=\"hidden\" name=\"tx\" value=\"{}\">\
             <input type=\"hidden\" name=\"connection\" value=\"{}\">\
             <label for=\"who\">{label}</label>\
             <input id=\"who\" name=\"who\" type=\"{kind}\" autocomplete=\"{auto}\" value=\"{}\" required>\
             <button type=\"submit\">Send a code</button></form>{}",
            problem(p),
            esc(tx),
            esc(connection),
            esc(hint.unwrap_or_default()),
            cancel(tx)
        ),
    )
}

pub fn passwordless_code(tx: &str, connection: &str, who: &str, p: Option<&str>) -> Response {
    page(
        StatusCode::OK,
        "Enter your code",
        &format!(
            "<p>We sent a code to {}. (The dev tenant writes it to its log.)</p>{}\
             <form method=\"post\" action=\"/login/passwordless/verify\">\
             <input type=\"hidden\" name=\"tx\" value=\"{}\">\
             <input type=\"hidden\" name=\"connection\" value=\"{}\">\
             <input type=\"hidden\" name=\"who\" value=\"{}\">\
             <label for=\"code\">Code</label>\
             <input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>\
             <button type=\"submit\">Continue</button></form>{}",
            esc(who),
            problem(p),
            esc(tx),
            esc(connection),
            esc(who),
            cancel(tx)
        ),
    )
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
