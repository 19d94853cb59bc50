// Metrics in Prometheus text format (prom-client). Known metrics carry help text and buckets;
// any other name is registered on first use. A bounded window of recent values per histogram
// gives the p50/p95 the router also publishes to Redis (metrics:events:s4.<name>).

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { MetricLabels, Metrics } from "../../ports/metrics.ts";

interface Known {
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
}

const latencyBucketsMs = [
  0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
];

const known: Readonly<Record<string, Known>> = {
  router_submit_latency_ms: {
    help: "Time from sending an order to the venue's answer",
    labelNames: ["market"],
    buckets: latencyBucketsMs,
  },
  slippage_bps: {
    help: "Slippage of fills against the mid at send, bps (positive is a cost)",
    labelNames: ["market", "liquidity"],
    buckets: [-50, -20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20, 50, 100],
  },
  maker_fill_ratio: {
    help: "Filled share of maker orders when their window closed",
    labelNames: ["market"],
    buckets: [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1],
  },
  maker_timeout_count: { help: "Maker windows that expired and fell back", labelNames: ["market"] },
  twap_slice_fill_ratio: {
    help: "Filled share of each TWAP slice",
    labelNames: ["market"],
    buckets: [0, 0.25, 0.5, 0.75, 0.9, 1],
  },
  fee_usdt_total: { help: "Fees paid, in USDT", labelNames: ["market"] },
  orders_total: { help: "Intents handled, by outcome", labelNames: ["market", "outcome"] },
  cancel_total: { help: "Cancels handled, by outcome", labelNames: ["outcome"] },
  exchange_connected: {
    help: "1 when the venue's REST and user stream are up",
    labelNames: ["stream"],
  },
  circuit_breaker_state: { help: "0 closed, 1 half-open, 2 open", labelNames: [] },
  twap_schedule_error_ms: {
    help: "TWAP slice sent minus planned send time",
    labelNames: ["market"],
    buckets: [-100, -10, 0, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000],
  },
  taker_rate: { help: "Share of filled quantity that took liquidity", labelNames: ["market"] },
  reconcile_jaccard: {
    help: "Overlap of venue and store open orders (1 = identical)",
    labelNames: ["market"],
  },
  guardian_reaction_ms: {
    help: "Price touch to exit order sent",
    labelNames: [],
    buckets: latencyBucketsMs,
  },
};

/** Values kept per histogram for quantiles. */
export const quantileWindowMax = 2_048;

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly histograms = new Map<string, Histogram>();
  private readonly windows = new Map<string, number[]>();

  increment(name: string, labels: MetricLabels = {}, by = 1): void {
    const counter = this.lookup(this.counters, name, labels, (config) => new Counter(config));
    counter.inc(labels, by);
  }

  setGauge(name: string, value: number, labels: MetricLabels = {}): void {
    this.lookup(this.gauges, name, labels, (config) => new Gauge(config)).set(labels, value);
  }

  observe(name: string, value: number, labels: MetricLabels = {}): void {
    const histogram = this.lookup(
      this.histograms,
      name,
      labels,
      (config) =>
        new Histogram({ ...config, buckets: [...(known[name]?.buckets ?? latencyBucketsMs)] }),
    );
    histogram.observe(labels, value);
    const window = this.windows.get(name) ?? [];
    window.push(value);
    if (window.length > quantileWindowMax) window.splice(0, window.length - quantileWindowMax);
    this.windows.set(name, window);
  }

  /** Quantile q ∈ [0, 1] of the recent window of a histogram; null when empty. */
  quantile(name: string, q: number): number | null {
    const window = this.windows.get(name);
    if (window === undefined || window.length === 0) return null;
    const sorted = [...window].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  private lookup<T>(
    map: Map<string, T>,
    name: string,
    labels: MetricLabels,
    create: (config: {
      name: string;
      help: string;
      labelNames: string[];
      registers: Registry[];
    }) => T,
  ): T {
    const existing = map.get(name);
    if (existing !== undefined) return existing;
    const description = known[name];
    const made = create({
      name,
      help: description?.help ?? name.replaceAll("_", " "),
      labelNames: [...(description?.labelNames ?? Object.keys(labels))],
      registers: [this.registry],
    });
    map.set(name, made);
    return made;
  }
}
