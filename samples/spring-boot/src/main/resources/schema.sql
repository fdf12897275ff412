CREATE TABLE IF NOT EXISTS shop_products (
  id    bigint PRIMARY KEY,
  name  text NOT NULL,
  price numeric(10, 2) NOT NULL,
  stock integer NOT NULL
);
CREATE TABLE IF NOT EXISTS shop_orders (
  id         bigserial PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES shop_products(id),
  quantity   integer NOT NULL,
  placed_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO shop_products(id, name, price, stock) VALUES
  (1, 'teapot', 24.90, 100000),
  (2, 'kettle', 39.00, 100000),
  (3, 'mug', 7.50, 100000),
  (4, 'tea tin', 12.00, 100000)
ON CONFLICT (id) DO NOTHING;
