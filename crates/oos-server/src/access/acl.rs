//! Access control lists: canned ACLs, `x-amz-grant-*` headers and `AccessControlPolicy`
//! documents, stored as a JSON grant list. An ACL set by a request is kept exactly as AWS
//! keeps it: every grant, the owner's included (so revoking every grant leaves none); rows
//! written before that (and objects without an ACL) hold the grants besides the owner's
//! FULL_CONTROL, which is then implied. Access of owners comes from ownership either way.

use http::HeaderMap;
use oos_proto::xml;
use quick_xml::escape::escape;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

use crate::error::S3Result;
use crate::s3_error;

pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
/// The group of S3's log delivery, which `log-delivery-write` grants WRITE and READ_ACP.
pub const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";
/// The canonical user of Amazon EC2 that `aws-exec-read` grants READ (AWS names it so).
pub const EC2_EXEC_READ_ID: &str =
    "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c";
pub const EC2_EXEC_READ_NAME: &str = "za-team";
/// The canned ACLs S3 knows.
pub const CANNED: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "aws-exec-read",
    "authenticated-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
];

/// What a request asks to set: a canned ACL, or a grant list (`x-amz-grant-*` headers or an
/// `AccessControlPolicy` body), which replaces the ACL exactly as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestedAcl {
    /// One of [`CANNED`].
    Canned(&'static str),
    Grants(Vec<Grant>),
}

/// What a canned ACL is set on: `bucket-owner-*` mean nothing on a bucket (S3 ignores them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclTarget {
    Bucket,
    Object,
}

impl RequestedAcl {
    /// The grant list AWS stores for this request on a resource owned by `owner` in a bucket
    /// owned by `bucket_owner`.
    pub fn resolve(&self, owner: &str, bucket_owner: &str, target: AclTarget) -> Acl {
        let user = |id: &str, permission| Grant {
            grantee: Grantee::CanonicalUser { id: id.to_string() },
            permission,
        };
        let group = |uri: &str, permission| Grant {
            grantee: Grantee::Group {
                uri: uri.to_string(),
            },
            permission,
        };
        let grants = match self {
            RequestedAcl::Grants(grants) => grants.clone(),
            RequestedAcl::Canned(name) => {
                let mut grants = vec![user(owner, Permission::FullControl)];
                let on_object = target == AclTarget::Object && owner != bucket_owner;
                match *name {
                    "public-read" => grants.push(group(ALL_USERS, Permission::Read)),
                    "public-read-write" => {
                        grants.push(group(ALL_USERS, Permission::Read));
                        grants.push(group(ALL_USERS, Permission::Write));
                    }
                    "authenticated-read" => {
                        grants.push(group(AUTHENTICATED_USERS, Permission::Read))
                    }
                    "aws-exec-read" => grants.push(user(EC2_EXEC_READ_ID, Permission::Read)),
                    "bucket-owner-read" if on_object => {
                        grants.push(user(bucket_owner, Permission::Read))
                    }
                    "bucket-owner-full-control" if on_object => {
                        grants.push(user(bucket_owner, Permission::FullControl))
                    }
                    "log-delivery-write" => {
                        grants.push(group(LOG_DELIVERY, Permission::Write));
                        grants.push(group(LOG_DELIVERY, Permission::ReadAcp));
                    }
                    _ => {}
                }
                grants
            }
        };
        Acl {
            owner: None,
            grants,
            explicit: true,
        }
    }

    /// Whether this is the one ACL a bucket with ACLs disabled accepts: the canned
    /// `bucket-owner-full-control`, or a list granting the bucket owner FULL_CONTROL alone.
    pub fn is_bucket_owner_full_control(&self, bucket_owner: &str) -> bool {
        match self {
            RequestedAcl::Canned(name) => *name == "bucket-owner-full-control",
            RequestedAcl::Grants(grants) => {
                !grants.is_empty() && grants.iter().all(|g| {
                    g.permission == Permission::FullControl
                        && matches!(&g.grantee, Grantee::CanonicalUser { id } if id == bucket_owner)
                })
            }
        }
    }

    /// The grants to check for accounts that must exist (canned ACLs name none to check).
    pub fn listed_grants(&self) -> &[Grant] {
        match self {
            RequestedAcl::Grants(grants) => grants,
            RequestedAcl::Canned(_) => &[],
        }
    }
}

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

/// A stored ACL: its grants, and whether they are all of them (`explicit`) or the grants
/// besides the owner's implied FULL_CONTROL (rows from before, and the default ACL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    /// An object's owner when it is not the bucket owner (another account wrote it and the
    /// bucket's Object Ownership left it theirs); `None` means the bucket owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub grants: Vec<Grant>,
    /// `grants` is the whole list, the owner's grant (if any) included.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub explicit: bool,
}

impl Acl {
    /// The implied form of a canned ACL that names no account, as rows from before stored
    /// them (by name, or as grants besides the owner's).
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
            explicit: false,
        })
    }

    /// The grants as AWS lists them for a resource owned by `owner`: the owner's implied
    /// FULL_CONTROL first when the stored list does not hold it, then the stored grants.
    pub fn listed(&self, owner: &str) -> Vec<Grant> {
        let implied = (!self.explicit).then(|| Grant {
            grantee: Grantee::CanonicalUser {
                id: owner.to_string(),
            },
            permission: Permission::FullControl,
        });
        implied.into_iter().chain(self.grants.clone()).collect()
    }

    /// Whether a grant reaches AllUsers or AuthenticatedUsers (what S3 calls a public ACL).
    pub fn is_public(&self) -> bool {
        self.grants.iter().any(|g| {
            matches!(&g.grantee, Grantee::Group { uri } if uri == ALL_USERS || uri == AUTHENTICATED_USERS)
        })
    }

    /// The ACL without its public grants (IgnorePublicAcls).
    pub fn without_public(mut self) -> Acl {
        self.grants.retain(
            |g| !matches!(&g.grantee, Grantee::Group { uri } if uri == ALL_USERS || uri == AUTHENTICATED_USERS),
        );
        self
    }

    /// Drops grants to `owner` (to see whether an ACL grants anyone else).
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

    /// The ACL a request sets through `x-amz-acl` or `x-amz-grant-*` headers, if any. Both
    /// at once is an error, as in S3.
    pub fn from_headers(headers: &HeaderMap) -> S3Result<Option<RequestedAcl>> {
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
            (Some(c), true) => CANNED
                .iter()
                .find(|name| **name == c)
                .map(|name| Some(RequestedAcl::Canned(name)))
                .ok_or_else(|| s3_error!(InvalidArgument, "Invalid canned ACL: {c}")),
            (None, false) => Ok(Some(RequestedAcl::Grants(grants))),
            (None, true) => Ok(None),
        }
    }

    /// Parses an `AccessControlPolicy` document. The owner in it must be the resource's owner.
    /// An empty `AccessControlList` revokes every grant.
    pub fn from_xml(body: &str, owner_id: &str) -> S3Result<RequestedAcl> {
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
                if !known_group(uri) {
                    return Err(s3_error!(InvalidArgument, "Invalid group uri {uri}"));
                }
            }
        }
        Ok(RequestedAcl::Grants(grants))
    }

    /// The AWS `AccessControlPolicy` document of a resource owned by `owner_id`: its grants
    /// as [`Acl::listed`] gives them (groups carry only their `URI`).
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
<AccessControlList>",
            oos_proto::headers::XML_DECL,
            oos_proto::headers::S3_XMLNS,
            escape(owner_id),
            escape(owner_name),
        );
        for g in &self.listed(owner_id) {
            let grantee = match &g.grantee {
                Grantee::CanonicalUser { id } if id == owner_id => user(id, owner_name),
                Grantee::CanonicalUser { id } if id == EC2_EXEC_READ_ID => {
                    user(id, EC2_EXEC_READ_NAME)
                }
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

/// The groups S3 grants to: everyone, every signed request, log delivery.
fn known_group(uri: &str) -> bool {
    uri == ALL_USERS || uri == AUTHENTICATED_USERS || uri == LOG_DELIVERY
}

/// `id="…"`, `uri="…"` (or `emailAddress="…"`, which this server cannot resolve).
fn parse_grantee_header(s: &str) -> S3Result<Grantee> {
    let (kind, value) = s
        .split_once('=')
        .ok_or_else(|| s3_error!(InvalidArgument, "Invalid grantee {s}"))?;
    let value = value.trim().trim_matches('"').to_string();
    match kind.trim() {
        "id" => Ok(Grantee::CanonicalUser { id: value }),
        "uri" if known_group(&value) => Ok(Grantee::Group { uri: value }),
        "emailAddress" => Err(s3_error!(UnresolvableGrantByEmailAddress)),
        _ => Err(s3_error!(InvalidArgument, "Invalid grantee {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(r: &RequestedAcl, owner: &str, bucket_owner: &str, t: AclTarget) -> Vec<String> {
        r.resolve(owner, bucket_owner, t)
            .listed(owner)
            .iter()
            .map(|g| {
                let who = match &g.grantee {
                    Grantee::CanonicalUser { id } => id.clone(),
                    Grantee::Group { uri } => uri.rsplit('/').next().unwrap_or_default().into(),
                };
                format!("{who}:{}", g.permission.as_str())
            })
            .collect()
    }

    #[test]
    fn canned_acls_are_aws_grant_lists() {
        use AclTarget::{Bucket, Object};
        let c = RequestedAcl::Canned;
        let fc = "w:FULL_CONTROL";
        assert_eq!(listed(&c("private"), "w", "b", Object), [fc]);
        assert_eq!(
            listed(&c("public-read"), "w", "b", Object),
            [fc, "AllUsers:READ"]
        );
        assert_eq!(
            listed(&c("public-read-write"), "w", "b", Bucket),
            [fc, "AllUsers:READ", "AllUsers:WRITE"]
        );
        assert_eq!(
            listed(&c("authenticated-read"), "w", "b", Object),
            [fc, "AuthenticatedUsers:READ"]
        );
        assert_eq!(
            listed(&c("aws-exec-read"), "w", "b", Object),
            [fc.to_string(), format!("{EC2_EXEC_READ_ID}:READ")]
        );
        assert_eq!(
            listed(&c("bucket-owner-read"), "w", "b", Object),
            [fc, "b:READ"]
        );
        assert_eq!(
            listed(&c("bucket-owner-full-control"), "w", "b", Object),
            [fc, "b:FULL_CONTROL"]
        );
        // The bucket owner's own object, or a bucket: the owner's grant alone.
        assert_eq!(
            listed(&c("bucket-owner-full-control"), "b", "b", Object),
            ["b:FULL_CONTROL"]
        );
        assert_eq!(listed(&c("bucket-owner-read"), "w", "w", Bucket), [fc]);
        assert_eq!(
            listed(&c("log-delivery-write"), "w", "w", Bucket),
            [fc, "LogDelivery:WRITE", "LogDelivery:READ_ACP"]
        );
        for name in CANNED {
            let acl = c(name).resolve("w", "b", Object);
            assert!(acl.explicit, "{name}");
            assert_eq!(Acl::from_stored(&acl.to_stored()), acl);
        }
    }

    #[test]
    fn grants_allow_what_s3_says() {
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
        // Old rows stored canned names, and grants besides the owner's.
        assert_eq!(Acl::from_stored("public-read"), pr);
        assert_eq!(Acl::from_stored(&pr.to_stored()), pr);
        assert_eq!(pr.listed("o").len(), 2);
        // Log delivery grants no request anything; it is not public.
        let ld = RequestedAcl::Canned("log-delivery-write").resolve("o", "o", AclTarget::Bucket);
        assert!(!ld.allows(None, Permission::Write) && !ld.allows(Some("x"), Permission::Write));
        assert!(!ld.is_public());
        assert_eq!(ld.clone().without_public(), ld);
    }

    #[test]
    fn revoking_every_grant_leaves_none() {
        let body = "<AccessControlPolicy><Owner><ID>alice</ID></Owner><AccessControlList/></AccessControlPolicy>";
        let acl =
            Acl::from_xml(body, "alice")
                .unwrap()
                .resolve("alice", "alice", AclTarget::Object);
        assert!(acl.listed("alice").is_empty());
        let xml = acl.to_xml("alice", "Alice", &|_| String::new());
        assert!(
            xml.ends_with("<AccessControlList></AccessControlList></AccessControlPolicy>"),
            "{xml}"
        );
        assert_ne!(acl, Acl::default(), "stored, unlike the default ACL");
        // The default ACL lists the owner's FULL_CONTROL.
        assert_eq!(Acl::default().listed("alice").len(), 1);
    }

    #[test]
    fn xml_round_trip() {
        let acl = RequestedAcl::Grants(vec![
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
            Grant {
                grantee: Grantee::Group {
                    uri: LOG_DELIVERY.into(),
                },
                permission: Permission::Write,
            },
        ])
        .resolve("alice", "alice", AclTarget::Bucket);
        let xml = acl.to_xml("alice", "Alice", &|id| id.to_uppercase());
        assert!(xml.contains("<DisplayName>BOB</DisplayName>"));
        // Groups carry their URI alone; the owner's grant is not invented.
        assert!(xml.contains(&format!(
            "xsi:type=\"Group\"><URI>{ALL_USERS}</URI></Grantee><Permission>READ</Permission>"
        )));
        assert!(!xml.contains("<ID>alice</ID><DisplayName>Alice</DisplayName></Grantee>"));
        let back =
            Acl::from_xml(&xml, "alice")
                .unwrap()
                .resolve("alice", "alice", AclTarget::Bucket);
        assert_eq!(back, acl);
        assert!(back.allows(Some("bob"), Permission::WriteAcp));
        assert_eq!(
            Acl::from_xml(&xml, "mallory").unwrap_err().code,
            oos_proto::ErrorCode::AccessDenied
        );
        assert!(Acl::from_xml("<AccessControlPolicy><AccessControlList><Grant>", "a").is_err());
        let bad_group = xml.replace(ALL_USERS, "http://acs.amazonaws.com/groups/global/Nobody");
        assert_eq!(
            Acl::from_xml(&bad_group, "alice").unwrap_err().code,
            oos_proto::ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn grant_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-amz-grant-read",
            format!("id=\"bob\", uri=\"{ALL_USERS}\"").parse().unwrap(),
        );
        let req = Acl::from_headers(&h).unwrap().unwrap();
        let acl = req.resolve("owner", "owner", AclTarget::Object);
        // Grant headers replace the list: the owner's grant is not added.
        assert_eq!(acl.listed("owner").len(), 2);
        assert!(acl.is_public());
        assert!(!acl.clone().without_public().is_public());
        h.insert("x-amz-acl", "private".parse().unwrap());
        assert!(Acl::from_headers(&h).is_err());
        let mut h = HeaderMap::new();
        h.insert("x-amz-acl", "bogus".parse().unwrap());
        assert_eq!(
            Acl::from_headers(&h).unwrap_err().code,
            oos_proto::ErrorCode::InvalidArgument
        );
        h.insert("x-amz-acl", "bucket-owner-full-control".parse().unwrap());
        let full = Acl::from_headers(&h).unwrap().unwrap();
        assert!(full.is_bucket_owner_full_control("owner"));
        assert!(!RequestedAcl::Canned("private").is_bucket_owner_full_control("owner"));
        let xml_form = RequestedAcl::Grants(vec![Grant {
            grantee: Grantee::CanonicalUser { id: "owner".into() },
            permission: Permission::FullControl,
        }]);
        assert!(xml_form.is_bucket_owner_full_control("owner"));
        assert!(!xml_form.is_bucket_owner_full_control("other"));
        assert!(!RequestedAcl::Grants(vec![]).is_bucket_owner_full_control("owner"));
        assert!(full
            .resolve("owner", "owner", AclTarget::Object)
            .without_grants_to("owner")
            .grants
            .is_empty());
    }
}
