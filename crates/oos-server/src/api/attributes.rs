//! GetObjectAttributes (`GET key?attributes`): the ETag, checksum, parts, storage class and
//! size of one version, as the `x-amz-object-attributes` header lists them, without its data.

use http::Response;
use oos_meta::DataRef;
use oos_proto::time_fmt::http_date;
use oos_proto::xml::{
    self, AttributesChecksum, AttributesPart, AttributesParts, ChecksumValues,
    GetObjectAttributesResponse,
};

use super::Ctx;
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, set_header, Body};
use crate::s3_error;

const NAMES: [&str; 5] = [
    "ETag",
    "Checksum",
    "ObjectParts",
    "StorageClass",
    "ObjectSize",
];
/// S3's default and largest page of parts.
const MAX_PARTS: usize = 1000;

pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let wanted = requested(ctx.header("x-amz-object-attributes"))?;
    let max_parts = number(ctx.header("x-amz-max-parts"), "x-amz-max-parts")?
        .unwrap_or(MAX_PARTS)
        .min(MAX_PARTS);
    let marker = number(
        ctx.header("x-amz-part-number-marker"),
        "x-amz-part-number-marker",
    )?
    .unwrap_or(0);
    let (bucket, object) = ctx.object_for("s3:GetObjectAttributes", Need::Read).await?;
    // An SSE-C object's attributes need its key, as its HEAD does.
    ctx.object_key(&object.attrs, crate::sse::ReadAs::Object)
        .await?;
    let want = |name: &str| wanted.iter().any(|w| w == name);
    let checksum = object
        .attrs
        .checksum
        .as_ref()
        .filter(|_| want("Checksum"))
        .map(|(algorithm, value)| AttributesChecksum {
            // S3 gives a composite checksum here without its `-N` (HEAD and GET keep it).
            values: ChecksumValues::of(algorithm, composite_digest(value)),
            checksum_type: crate::checksums::type_of(&object.attrs).as_str(),
        });
    // Parts are numbered in the order they make up the object, as `?partNumber=` reads them.
    let object_parts = match &object.data {
        DataRef::Parts(parts) if want("ObjectParts") => {
            let page: Vec<AttributesPart> = parts
                .iter()
                .enumerate()
                .skip(marker)
                .take(max_parts)
                .map(|(i, p)| AttributesPart {
                    checksum: match (&object.attrs.checksum, &p.checksum) {
                        (Some((algorithm, _)), Some(v)) => ChecksumValues::of(algorithm, v),
                        _ => ChecksumValues::default(),
                    },
                    part_number: i + 1,
                    size: p.size,
                })
                .collect();
            let is_truncated = marker + page.len() < parts.len();
            Some(AttributesParts {
                is_truncated,
                max_parts,
                next_part_number_marker: page.last().map(|p| p.part_number),
                part_number_marker: marker,
                parts: page,
                parts_count: parts.len(),
            })
        }
        _ => None,
    };
    let doc = GetObjectAttributesResponse {
        xmlns: xml::XMLNS,
        etag: want("ETag").then(|| object.etag.clone()),
        checksum,
        object_parts,
        storage_class: want("StorageClass").then(|| object.storage_class.clone()),
        object_size: want("ObjectSize").then_some(object.size),
    };
    let mut resp = response::xml("GetObjectAttributesResponse", &doc);
    set_header(&mut resp, "last-modified", &http_date(object.last_modified));
    super::set_version_header(&mut resp, &bucket, object.version_id.as_deref());
    Ok(resp)
}

/// A composite checksum's digest without the `-N` that counts its parts.
fn composite_digest(value: &str) -> &str {
    match value.rsplit_once('-') {
        Some((digest, n)) if n.bytes().all(|b| b.is_ascii_digit()) => digest,
        _ => value,
    }
}

/// The attribute names asked for: a comma-separated list (or repeated header values joined
/// by the HTTP layer), each one of [`NAMES`], at least one.
fn requested(header: Option<&str>) -> S3Result<Vec<String>> {
    let names: Vec<String> = header
        .unwrap_or_default()
        .split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err(s3_error!(
            InvalidArgument,
            "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty"
        ));
    }
    if let Some(bad) = names.iter().find(|n| !NAMES.contains(&n.as_str())) {
        return Err(s3_error!(
            InvalidArgument,
            "Invalid attribute name specified: {bad}"
        ));
    }
    Ok(names)
}

fn number(value: Option<&str>, name: &str) -> S3Result<Option<usize>> {
    value
        .map(|v| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| s3_error!(InvalidArgument, "Invalid {name} header value: {v}"))
        })
        .transpose()
}
