//! Access control lists: canned ACLs, `x-amz-grant-*` headers and `AccessControlPolicy`
//! documents, stored as a JSON grant list. The owner always has FULL_CONTROL (S3).

use http::HeaderMap;
use oos_proto::xml;
use quick_xml::escape::escape;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

use crate::error::S3Result;
use crate::s3_error;

pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
pub const CANNED: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    #[serde(rename = "READ")]
    Read,
    #[serde(rename = "WRITE")]
    Write,
    #[serde(rename = "READ_ACP")]
    ReadAcp,
    #[serde(rename = "WRITE_ACP")]
    WriteAcp,
    #[serde(rename = "FULL_CONTROL")]
    FullControl,
}

impl Permission {
    fn parse(s: &str) -> Option<Permission> {
        Some(match s {
            "READ" => Permission::Read,
            "WRITE" => Permission::Write,
            "READ_ACP" => Permission::ReadAcp,
            "WRITE_ACP" => Permission::WriteAcp,
            "FULL_CONTROL" => Permission::FullControl,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
            Permission::FullControl => "FULL_CONTROL",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Grantee {
    CanonicalUser { id: String },
    Group { uri: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub grantee: Grantee,
    pub permission: Permission,
}

/// The grants besides the owner's implicit FULL_CONTROL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    /// An object's owner when it is not the bucket owner (another account wrote it and the
    /// bucket's Object Ownership left it theirs); `None` means the bucket owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub grants: Vec<Grant>,
}

impl Acl {
    /// A canned ACL that names no account (`bucket-owner-*` need [`Acl::canned_for`]).
    pub fn canned(name: &str) -> Option<Acl> {
        let group = |uri: &str, permission| Grant {
            grantee: Grantee::Group {
                uri: uri.to_string(),
            },
            permission,
        };
        Some(Acl {
            owner: None,
            grants: match name {
                "private" => vec![],
                "public-read" => vec![group(ALL_USERS, Permission::Read)],
                "public-read-write" => vec![
                    group(ALL_USERS, Permission::Read),
                    group(ALL_USERS, Permission::Write),
                ],
                "authenticated-read" => vec![group(AUTHENTICATED_USERS, Permission::Read)],
                _ => return None,
            },
        })
    }

    /// A canned ACL of an object or bucket owned by `bucket_owner`'s bucket: the
    /// `bucket-owner-*` names grant that account (on a bucket they grant its owner what it
    /// has anyway, so S3 treats them as `private` there).
    pub fn canned_for(name: &str, bucket_owner: &str) -> Option<Acl> {
        let permission = match name {
            "bucket-owner-read" => Permission::Read,
            "bucket-owner-full-control" => Permission::FullControl,
            _ => return Acl::canned(name),
        };
        Some(Acl {
            owner: None,
            grants: vec![Grant {
                grantee: Grantee::CanonicalUser {
                    id: bucket_owner.to_string(),
                },
                permission,
            }],
        })
    }

    /// Whether a grant reaches AllUsers or AuthenticatedUsers (what S3 calls a public ACL).
    pub fn is_public(&self) -> bool {
        self.grants.iter().any(|g| {
            matches!(&g.grantee, Grantee::Group { uri } if uri == ALL_USERS || uri == AUTHENTICATED_USERS)
        })
    }

    /// The ACL without its public grants (IgnorePublicAcls).
    pub fn without_public(mut self) -> Acl {
        self.grants
            .retain(|g| !matches!(&g.grantee, Grantee::Group { .. }));
        self
    }

    /// Whether the ACL grants FULL_CONTROL to `account` and nothing else: the one ACL a
    /// bucket with ACLs disabled accepts (`bucket-owner-full-control` or its XML form).
    pub fn is_full_control_of(&self, account: &str) -> bool {
        !self.grants.is_empty()
            && self.grants.iter().all(|g| {
                g.permission == Permission::FullControl
                    && matches!(&g.grantee, Grantee::CanonicalUser { id } if id == account)
            })
    }

    /// Drops grants to `owner`, whose FULL_CONTROL is implicit.
    pub fn without_grants_to(mut self, owner: &str) -> Acl {
        self.grants
            .retain(|g| !matches!(&g.grantee, Grantee::CanonicalUser { id } if id == owner));
        self
    }

    /// Reads the stored form: a JSON grant list, or (older rows) a canned name.
    pub fn from_stored(stored: &str) -> Acl {
        serde_json::from_str(stored)
            .ok()
            .or_else(|| Acl::canned(stored))
            .unwrap_or_default()
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("grant lists serialize")
    }

    /// Whether `account` (None: anonymous) holds `wanted` through a grant. FULL_CONTROL
    /// implies every permission.
    pub fn allows(&self, account: Option<&str>, wanted: Permission) -> bool {
        self.grants.iter().any(|g| {
            let who = match &g.grantee {
                Grantee::Group { uri } if uri == ALL_USERS => true,
                Grantee::Group { uri } if uri == AUTHENTICATED_USERS => account.is_some(),
                Grantee::Group { .. } => false,
                Grantee::CanonicalUser { id } => account == Some(id.as_str()),
            };
            who && (g.permission == wanted || g.permission == Permission::FullControl)
        })
    }

    /// The ACL a request sets through `x-amz-acl` or `x-amz-grant-*` headers, if any, in a
    /// bucket owned by `bucket_owner`. Both at once is an error, as in S3.
    pub fn from_headers(headers: &HeaderMap, bucket_owner: &str) -> S3Result<Option<Acl>> {
        const GRANT_HEADERS: &[(&str, Permission)] = &[
            ("x-amz-grant-read", Permission::Read),
            ("x-amz-grant-write", Permission::Write),
            ("x-amz-grant-read-acp", Permission::ReadAcp),
            ("x-amz-grant-write-acp", Permission::WriteAcp),
            ("x-amz-grant-full-control", Permission::FullControl),
        ];
        let canned = headers.get("x-amz-acl").map(|v| v.to_str().unwrap_or(""));
        let mut grants = Vec::new();
        for (name, permission) in GRANT_HEADERS {
            for value in headers.get_all(*name) {
                let value = value
                    .to_str()
                    .map_err(|_| s3_error!(InvalidArgument, "Invalid {name} header"))?;
                for grantee in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    grants.push(Grant {
                        grantee: parse_grantee_header(grantee)?,
                        permission: *permission,
                    });
                }
            }
        }
        match (canned, grants.is_empty()) {
            (Some(_), false) => Err(s3_error!(
                InvalidRequest,
                "Specifying both Canned ACLs and Header Grants is not allowed"
            )),
            (Some(c), true) => Acl::canned_for(c, bucket_owner)
                .map(Some)
                .ok_or_else(|| s3_error!(InvalidArgument, "Invalid canned ACL: {c}")),
            (None, false) => Ok(Some(Acl {
                owner: None,
                grants,
            })),
            (None, true) => Ok(None),
        }
    }

    /// Parses an `AccessControlPolicy` document. The owner in it must be the bucket's owner.
    pub fn from_xml(body: &str, owner_id: &str) -> S3Result<Acl> {
        let malformed = || s3_error!(MalformedACLError);
        let mut reader = quick_xml::Reader::from_str(body);
        let mut path: Vec<String> = Vec::new();
        let mut grants = Vec::new();
        let (mut kind, mut id, mut uri, mut permission, mut owner) = (None, None, None, None, None);
        let mut email = false;
        // The text of the element being read, verbatim (ids and URIs are compared exactly).
        let mut text = String::new();
        loop {
            match reader.read_event().map_err(|_| malformed())? {
                Event::Start(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if name == "Grantee" {
                        for attr in e.attributes().flatten() {
                            if attr.key.local_name().as_ref() == b"type" {
                                kind = Some(String::from_utf8_lossy(&attr.value).into_owned());
                            }
                        }
                    }
                    path.push(name);
                    text.clear();
                }
                Event::Text(t) => xml::push_text(&mut text, &t).map_err(|_| malformed())?,
                Event::CData(t) => text.push_str(std::str::from_utf8(&t).map_err(|_| malformed())?),
                Event::GeneralRef(r) => xml::push_ref(&mut text, &r).map_err(|_| malformed())?,
                Event::End(_) if path.last().map(String::as_str) != Some("Grant") => {
                    let value = std::mem::take(&mut text);
                    let p: Vec<&str> = path.iter().map(String::as_str).collect();
                    match p.as_slice() {
                        [.., "Owner", "ID"] => owner = Some(value),
                        [.., "Grantee", "ID"] => id = Some(value),
                        [.., "Grantee", "URI"] => uri = Some(value),
                        [.., "Grantee", "EmailAddress"] => email = true,
                        [.., "Grant", "Permission"] => permission = Some(value),
                        _ => {}
                    }
                    path.pop();
                }
                Event::End(_) => {
                    path.pop();
                    text.clear();
                    if email {
                        return Err(s3_error!(UnresolvableGrantByEmailAddress));
                    }
                    let permission = permission
                        .take()
                        .and_then(|p| Permission::parse(&p))
                        .ok_or_else(malformed)?;
                    let grantee = match (kind.take().as_deref(), id.take(), uri.take()) {
                        (Some("CanonicalUser") | None, Some(id), None) => {
                            Grantee::CanonicalUser { id }
                        }
                        (Some("Group") | None, None, Some(uri)) => Grantee::Group { uri },
                        _ => return Err(malformed()),
                    };
                    grants.push(Grant {
                        grantee,
                        permission,
                    });
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !path.is_empty() {
            return Err(malformed());
        }
        if owner.as_deref().is_some_and(|o| o != owner_id) {
            return Err(s3_error!(
                AccessDenied,
                "The owner in the ACL is not the bucket owner."
            ));
        }
        for g in &grants {
            if let Grantee::Group { uri } = &g.grantee {
                if uri != ALL_USERS && uri != AUTHENTICATED_USERS {
                    return Err(s3_error!(InvalidArgument, "Invalid group uri {uri}"));
                }
            }
        }
        Ok(Acl {
            owner: None,
            grants,
        })
    }

    /// The AWS `AccessControlPolicy` document: the owner's FULL_CONTROL, then the grants.
    pub fn to_xml(
        &self,
        owner_id: &str,
        owner_name: &str,
        names: &dyn Fn(&str) -> String,
    ) -> String {
        let user = |id: &str, name: &str| {
            format!(
                "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">\
<ID>{}</ID><DisplayName>{}</DisplayName></Grantee>",
                escape(id),
                escape(name)
            )
        };
        let mut out = format!(
            "{}<AccessControlPolicy xmlns=\"{}\"><Owner><ID>{}</ID><DisplayName>{}</DisplayName></Owner>\
<AccessControlList><Grant>{}<Permission>FULL_CONTROL</Permission></Grant>",
            oos_proto::headers::XML_DECL,
            oos_proto::headers::S3_XMLNS,
            escape(owner_id),
            escape(owner_name),
            user(owner_id, owner_name)
        );
        for g in &self.grants {
            let grantee = match &g.grantee {
                Grantee::CanonicalUser { id } => user(id, &names(id)),
                Grantee::Group { uri } => format!(
                    "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>{}</URI></Grantee>",
                    escape(uri)
                ),
            };
            out.push_str(&format!(
                "<Grant>{grantee}<Permission>{}</Permission></Grant>",
                g.permission.as_str()
            ));
        }
        out.push_str("</AccessControlList></AccessControlPolicy>");
        out
    }
}

/// `id="…"`, `uri="…"` (or `emailAddress="…"`, which this server cannot resolve).
fn parse_grantee_header(s: &str) -> S3Result<Grantee> {
    let (kind, value) = s
        .split_once('=')
        .ok_or_else(|| s3_error!(InvalidArgument, "Invalid grantee {s}"))?;
    let value = value.trim().trim_matches('"').to_string();
    match kind.trim() {
        "id" => Ok(Grantee::CanonicalUser { id: value }),
        "uri" if value == ALL_USERS || value == AUTHENTICATED_USERS => {
            Ok(Grantee::Group { uri: value })
        }
        "emailAddress" => Err(s3_error!(UnresolvableGrantByEmailAddress)),
        _ => Err(s3_error!(InvalidArgument, "Invalid grantee {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_acls_grant_what_s3_says() {
        let pr = Acl::canned("public-read").unwrap();
        assert!(pr.allows(None, Permission::Read));
        assert!(!pr.allows(None, Permission::Write));
        let prw = Acl::canned("public-read-write").unwrap();
        assert!(prw.allows(None, Permission::Write));
        let ar = Acl::canned("authenticated-read").unwrap();
        assert!(!ar.allows(None, Permission::Read));
        assert!(ar.allows(Some("x"), Permission::Read));
        assert!(!Acl::canned("private")
            .unwrap()
            .allows(Some("x"), Permission::Read));
        assert_eq!(Acl::from_stored("public-read"), pr);
        assert_eq!(Acl::from_stored(&pr.to_stored()), pr);
    }

    #[test]
    fn xml_round_trip_and_full_control() {
        let acl = Acl {
            owner: None,
            grants: vec![
                Grant {
                    grantee: Grantee::CanonicalUser { id: "bob".into() },
                    permission: Permission::FullControl,
                },
                Grant {
                    grantee: Grantee::Group {
                        uri: ALL_USERS.into(),
                    },
                    permission: Permission::Read,
                },
            ],
        };
        let xml = acl.to_xml("alice", "Alice", &|id| id.to_uppercase());
        assert!(xml.contains("<DisplayName>BOB</DisplayName>"));
        let back = Acl::from_xml(&xml, "alice").unwrap();
        assert_eq!(
            back.grants[1..],
            acl.grants[..],
            "owner grant first, then ours"
        );
        assert!(back.allows(Some("bob"), Permission::WriteAcp));
        assert_eq!(
            Acl::from_xml(&xml, "mallory").unwrap_err().code,
            oos_proto::ErrorCode::AccessDenied
        );
        assert!(Acl::from_xml("<AccessControlPolicy><AccessControlList><Grant>", "a").is_err());
    }

    #[test]
    fn grant_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-amz-grant-read",
            format!("id=\"bob\", uri=\"{ALL_USERS}\"").parse().unwrap(),
        );
        let acl = Acl::from_headers(&h, "owner").unwrap().unwrap();
        assert_eq!(acl.grants.len(), 2);
        assert!(acl.is_public());
        assert!(!acl.clone().without_public().is_public());
        h.insert("x-amz-acl", "private".parse().unwrap());
        assert!(Acl::from_headers(&h, "owner").is_err());
        let mut h = HeaderMap::new();
        h.insert("x-amz-acl", "bogus".parse().unwrap());
        assert_eq!(
            Acl::from_headers(&h, "owner").unwrap_err().code,
            oos_proto::ErrorCode::InvalidArgument
        );
        h.insert("x-amz-acl", "bucket-owner-full-control".parse().unwrap());
        let full = Acl::from_headers(&h, "owner").unwrap().unwrap();
        assert!(full.is_full_control_of("owner") && !full.is_public());
        assert!(!Acl::canned("private").unwrap().is_full_control_of("owner"));
        assert!(full.without_grants_to("owner").grants.is_empty());
    }
}
