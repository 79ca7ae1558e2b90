const apiUrl = import.meta.env.VITE_API_URL ?? "http://localhost:3000";
const list = document.querySelector("#products");

function formatPrice(cents) {
  return (cents / 100).toLocaleString("en-US", { style: "currency", currency: "USD" });
}

async function loadProducts() {
  try {
    const response = await fetch(`${apiUrl}/products`);
    const products = await response.json();
    list.replaceChildren(
      ...products.map((product) => {
        const item = document.createElement("li");
        item.textContent = `${product.name} (${formatPrice(product.priceCents)})`;
        return item;
      }),
    );
  } catch {
    list.innerHTML = "<li>Products are unavailable right now.</li>";
  }
}

loadProducts();
