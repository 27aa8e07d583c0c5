//! Guide §4.4 AccessKey: create, update, list and delete access keys.
//!
//! `OOS_ENDPOINT=… OOS_ACCESS_KEY_ID=… OOS_SECRET_ACCESS_KEY=… cargo run -p oos --example access_key`

#[tokio::main]
async fn main() -> oos::Result<()> {
    let client = oos::Client::new(oos::Config::from_env()?)?;

    // 4.4.1 Create AccessKey
    let key = client.create_access_key().await?;
    println!(
        "created {} (primary: {}, status: {})",
        key.access_key_id, key.is_primary, key.status
    );

    // 4.4.3 Update AccessKey: deactivate it.
    client
        .update_access_key(&key.access_key_id, false, None)
        .await?;

    // 4.4.4 List AccessKey
    let list = client.list_access_keys(Default::default()).await?;
    for k in &list.access_key_metadata.member {
        println!("{} {} primary={}", k.access_key_id, k.status, k.is_primary);
    }
    assert!(list
        .access_key_metadata
        .member
        .iter()
        .any(|k| k.access_key_id == key.access_key_id && k.status == "Inactive"));

    // 4.4.2 Delete AccessKey
    client.delete_access_key(&key.access_key_id).await?;
    println!("access key example done");
    Ok(())
}
