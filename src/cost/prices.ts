// Default list prices (US dollars), each with the date it was read and where (docs/cost.md). Every
// one is overridable with cost.prices in the config; a price is never a measurement.

export interface ListPrice {
  /** Dollars per unit; null when no public per-unit list price exists. */
  usd: number | null;
  unit: string;
  source: string;
  asOf: string;
  note?: string;
}

/** GitHub-hosted runner per-minute rates from 2026-01-01 (jobs are billed in whole minutes). */
export const CI_MINUTE_PRICES: Record<"linux-2-core" | "linux-4-core" | "linux-8-core" | "linux-16-core", ListPrice> = {
  "linux-2-core": { usd: 0.006, unit: "minute", source: "GitHub Docs, Actions runner pricing (billing/reference/actions-runner-pricing)", asOf: "2026-01-01" },
  "linux-4-core": { usd: 0.012, unit: "minute", source: "GitHub Docs, Actions runner pricing (billing/reference/actions-runner-pricing)", asOf: "2026-01-01" },
  "linux-8-core": { usd: 0.022, unit: "minute", source: "GitHub Docs, Actions runner pricing (billing/reference/actions-runner-pricing)", asOf: "2026-01-01" },
  "linux-16-core": { usd: 0.042, unit: "minute", source: "GitHub Docs, Actions runner pricing (billing/reference/actions-runner-pricing)", asOf: "2026-01-01" },
};

export interface RegistryPrices {
  storage: ListPrice;
  egress: ListPrice;
}

export const REGISTRY_PRICES: Record<"ghcr" | "ecr" | "dockerhub", RegistryPrices> = {
  ghcr: {
    storage: { usd: 0.25, unit: "GB-month", source: "GitHub Packages overage rate for private packages (GitHub pricing; docs: GitHub Packages billing)", asOf: "2026-12-06", note: "public packages are free; GitHub has said GHCR container storage is not billed yet" },
    egress: { usd: 0.5, unit: "GB", source: "GitHub Packages overage rate for private packages (GitHub pricing; docs: GitHub Packages billing)", asOf: "2026-12-06", note: "transfers triggered by GitHub Actions and transfers in are free" },
  },
  ecr: {
    storage: { usd: 0.1, unit: "GB-month", source: "aws.amazon.com/ecr/pricing (private repositories, us-east-1)", asOf: "2026-03" },
    egress: { usd: 0.09, unit: "GB", source: "aws.amazon.com/ecr/pricing (data transfer out to the internet, first 10 TB/month, us-east-1)", asOf: "2026-03", note: "pulls inside the same region are free" },
  },
  dockerhub: {
    storage: { usd: null, unit: "GB-month", source: "docs.docker.com, Docker Hub storage pricing", asOf: "2026-12-06", note: "storage is included per plan (Personal 2 GB ... Business 500 GB); overage has no public per-GB list price: set cost.prices.storagePerGbMonth" },
    egress: { usd: 0, unit: "GB", source: "docs.docker.com, Docker Hub pull limits", asOf: "2026-12-06", note: "pulls are limited by count per plan, not billed per GB" },
  },
};
