//! Tiering: moving one version's data into another storage class's layout.
//!
//! The bytes are copied as stored, data id by data id, from a store reader into a writer of
//! the target layout in the same pool, never through the object read path: whatever the
//! stored bytes are (ciphertext of server-side encryption included) they arrive unchanged, and
//! the version's attributes are not touched. The metadata store then switches the version to
//! the copy only if it is still unchanged
//! ([`oos_meta::MetaStore::replace_object_data_if_unchanged`]), and the old data ids go to the
//! garbage collector with that commit. If the version changed meanwhile, or anything fails,
//! the copies are deleted again and the version keeps its data: nothing is ever lost. Inline
//! data has no layout: it stays in the row and only the class changes. A data id already in
//! the target layout is kept as it is.

use oos_meta::{DataRef, Object, PartRef};
use oos_store::Layout;

use crate::error::S3Result;
use crate::state::Server;

/// What a move did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    /// The version now has its data in the class's layout.
    Switched,
    /// The version changed (overwritten, deleted, moved by another) while its data was
    /// copied: the copy was discarded.
    Changed,
}

/// Moves `object` (a version as listed) into `class`.
pub async fn move_version(server: &Server, object: &Object, class: &str) -> S3Result<Moved> {
    let pool = crate::placement::object_pool(server, object)?;
    let layout = crate::storage::layout_of(server, pool, class)?;
    // While the source is being copied, an overwrite may queue it for GC: the lease keeps the
    // collector away until the copy is done.
    let _lease = server.pools.get(pool).lease(object.data.data_ids());
    let mut fresh = Vec::new();
    let outcome = match copy_data(server, pool, &object.data, layout, &mut fresh).await {
        Ok(data) => server
            .meta
            .replace_object_data_if_unchanged(object, data, class)
            .await
            .map_err(Into::into),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(true) => Ok(Moved::Switched),
        Ok(false) => {
            discard(server, &fresh).await;
            Ok(Moved::Changed)
        }
        Err(e) => {
            discard(server, &fresh).await;
            Err(e)
        }
    }
}

/// The data of `data` in `layout`; every data id written is recorded in `fresh`.
async fn copy_data(
    server: &Server,
    pool: usize,
    data: &DataRef,
    layout: Layout,
    fresh: &mut Vec<String>,
) -> S3Result<DataRef> {
    Ok(match data {
        DataRef::Inline(bytes) => DataRef::Inline(bytes.clone()),
        DataRef::Single(id) => DataRef::Single(copy_one(server, pool, id, layout, fresh).await?),
        DataRef::Parts(parts) => {
            let mut moved = Vec::with_capacity(parts.len());
            for part in parts {
                moved.push(PartRef {
                    data_id: copy_one(server, pool, &part.data_id, layout, fresh).await?,
                    ..part.clone()
                });
            }
            DataRef::Parts(moved)
        }
    })
}

/// Copies one data id's stored bytes into a new data id of `layout` (durable when this
/// returns), or keeps it when it is in that layout already.
async fn copy_one(
    server: &Server,
    pool: usize,
    data_id: &str,
    layout: Layout,
    fresh: &mut Vec<String>,
) -> S3Result<String> {
    let store = server.pools.get(pool);
    let mut reader = store.reader_whole(data_id).await?;
    if reader.layout() == layout {
        return Ok(data_id.to_string());
    }
    let mut writer = store.writer_with(layout)?;
    while let Some(piece) = reader.next().await? {
        writer.write(&piece).await?;
    }
    let copy = crate::storage::finish(server, pool, writer).await?;
    fresh.push(copy.clone());
    Ok(copy)
}

/// Deletes copies that never became visible (best effort: restart recovery collects the rest).
async fn discard(server: &Server, ids: &[String]) {
    for id in ids {
        if let Err(e) = server.pools.delete(id).await {
            tracing::warn!(data_id = id, error = %e, "could not delete an unused copy");
        }
    }
}
