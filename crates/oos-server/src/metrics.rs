//! Prometheus metrics: requests by operation and status, latency histograms, bytes in and out,
//! and objects and bytes stored (read from the metadata store when scraped).

use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::Server;

pub struct Metrics {
    handle: PrometheusHandle,
}

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

impl Metrics {
    /// Installs the process-wide recorder (once per process: `oosd` runs one server).
    pub fn install() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("oos_request_duration_seconds".into()),
                LATENCY_BUCKETS,
            )
            .expect("bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // A second install in the same process (tests) keeps the first recorder.
        let _ = metrics::set_global_recorder(recorder);
        Metrics { handle }
    }

    pub fn record(
        &self,
        op: &'static str,
        status: u16,
        elapsed: Duration,
        bytes_in: u64,
        bytes_out: u64,
    ) {
        let status = status.to_string();
        metrics::counter!("oos_requests_total", "op" => op, "status" => status).increment(1);
        metrics::histogram!("oos_request_duration_seconds", "op" => op)
            .record(elapsed.as_secs_f64());
        metrics::counter!("oos_bytes_in_total").increment(bytes_in);
        metrics::counter!("oos_bytes_out_total").increment(bytes_out);
    }

    pub async fn render(&self, server: &Server) -> String {
        if let Ok(usage) = server.meta.usage().await {
            metrics::gauge!("oos_objects_stored").set(usage.objects as f64);
            metrics::gauge!("oos_bytes_stored").set(usage.bytes as f64);
        }
        metrics::gauge!("oos_uptime_seconds").set(server.started.elapsed().as_secs_f64());
        self.handle.render()
    }
}
