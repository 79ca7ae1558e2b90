import express from "express";

export interface Product {
  id: number;
  name: string;
  priceCents: number;
}

const products: Product[] = [
  { id: 1, name: "Canvas tote bag", priceCents: 1800 },
  { id: 2, name: "Enamel mug", priceCents: 1200 },
  { id: 3, name: "Wool beanie", priceCents: 2500 },
];

export function createApp(): express.Express {
  const app = express();

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });

  app.get("/products", (_req, res) => {
    res.json(products);
  });

  return app;
}

if (require.main === module) {
  const port = Number(process.env.PORT) || 3000;
  createApp().listen(port, () => {
    console.log(`api listening on port ${port}`);
  });
}
