//! Database URLs as text: without their password (for errors and logs), and pointed at
//! another database (the tests' own databases). Plain string work, so that a URL the
//! driver cannot parse is still shown without its secret.

/// The URL with its password (in the user part or a `password=` parameter) replaced by
/// `***`. Anything that does not look like a URL is shown as `***` whole when it
/// contains an `@` (it may hold a password), as it is otherwise.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return if url.contains('@') || url.contains("password") {
            "***".into()
        } else {
            url.to_string()
        };
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{user_info}@{host}"),
        },
        None => authority.to_string(),
    };
    format!("{scheme}://{authority}{}", redact_query(tail))
}

/// `password=` parameters of the query, as `password=***`.
fn redact_query(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_string();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => p.to_string(),
        })
        .collect();
    format!("{path}?{}", params.join("&"))
}

/// The password of the URL, as written (to take it out of driver messages too).
pub(super) fn password(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let in_user = rest[..end]
        .rsplit_once('@')
        .and_then(|(u, _)| u.split_once(':'))
        .map(|(_, p)| p.to_string());
    let in_query = rest[end..].split_once('?').and_then(|(_, q)| {
        q.split('&').find_map(|p| {
            p.split_once('=')
                .filter(|(k, _)| k.eq_ignore_ascii_case("password"))
                .map(|(_, v)| v.to_string())
        })
    });
    in_user.or(in_query)
}

/// The same server and credentials, another database.
#[cfg(any(test, feature = "test-fixtures"))]
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    format!("{scheme}://{authority}/{database}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "postgres://callboard:s3cr3t@db.example:5432/cb",
                "postgres://callboard:***@db.example:5432/cb",
            ),
            (
                "postgresql://u:p%40ss@h/db?sslmode=require&password=other",
                "postgresql://u:***@h/db?sslmode=require&password=***",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("postgres://h:5432/db", "postgres://h:5432/db"),
            ("postgres://h/db?PASSWORD=x", "postgres://h/db?PASSWORD=***"),
            ("user:secret@host/db", "***"),
            ("", ""),
        ] {
            let r = redact_url(url);
            assert_eq!(r, shown, "{url}");
            assert!(!r.contains("s3cr3t") && !r.contains("secret") && !r.contains("p%40ss"));
        }
        assert_eq!(
            password("postgres://u:pw@h/db").as_deref(),
            Some("pw"),
            "the password itself is found to scrub driver messages"
        );
        assert_eq!(
            super::super::redact_error("bad pw for postgres://u:pw@h/db", "postgres://u:pw@h/db"),
            "bad *** for postgres://u:***@h/db"
        );
    }

    #[test]
    fn another_database_on_the_same_server() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t_1"),
            "postgres://u:p@h:5432/t_1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t_2"), "postgres://u@h/t_2");
    }
}
