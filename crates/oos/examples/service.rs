//! Guide §4.1 Service: List Buckets (Get Service) and Get Regions.
//!
//! `OOS_ENDPOINT=http://127.0.0.1:8080 OOS_ACCESS_KEY_ID=… OOS_SECRET_ACCESS_KEY=… \
//!  cargo run -p oos --example service`

#[tokio::main]
async fn main() -> oos::Result<()> {
    let client = oos::Client::new(oos::Config::from_env()?)?;

    // 4.1.1 Get Service (List Buckets)
    let out = client.list_buckets().await?;
    println!("owner: {} ({})", out.owner.display_name, out.owner.id);
    for b in &out.buckets {
        println!("bucket: {} created {}", b.name, b.creation_date);
    }

    // 4.1.2 Get Regions
    let regions = client.get_regions().await?;
    println!("metadata regions: {:?}", regions.metadata_regions.region);
    println!("data regions: {:?}", regions.data_regions.region);
    assert!(!regions.data_regions.region.is_empty());
    println!("service example done");
    Ok(())
}
