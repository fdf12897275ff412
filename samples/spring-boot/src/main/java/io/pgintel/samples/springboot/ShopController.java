package io.pgintel.samples.springboot;

import java.math.BigDecimal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The shop's HTTP API: browse products, place an order, read it back. Plain SQL through JdbcClient. */
@RestController
class ShopController {

  private final JdbcClient jdbc;

  ShopController(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record Product(long id, String name, BigDecimal price, int stock) {}

  record OrderRequest(long productId, int quantity) {}

  record Order(long id, String product, int quantity, BigDecimal total) {}

  @GetMapping("/products")
  List<Product> products(@RequestParam(name = "maxPrice", defaultValue = "1000") BigDecimal maxPrice) {
    return jdbc.sql("SELECT id, name, price, stock FROM shop_products WHERE price <= ? ORDER BY price")
        .param(maxPrice).query(Product.class).list();
  }

  @PostMapping("/orders")
  @ResponseStatus(HttpStatus.CREATED)
  @Transactional
  Order placeOrder(@RequestBody OrderRequest request) {
    int updated = jdbc.sql("UPDATE shop_products SET stock = stock - ? WHERE id = ? AND stock >= ?")
        .params(request.quantity(), request.productId(), request.quantity()).update();
    if (updated == 0) {
      throw new ResponseStatusException(HttpStatus.CONFLICT, "unknown product or not enough stock");
    }
    long id = jdbc.sql("INSERT INTO shop_orders(product_id, quantity) VALUES (?, ?) RETURNING id")
        .params(request.productId(), request.quantity()).query(Long.class).single();
    return order(id);
  }

  @GetMapping("/orders/{id}")
  Order order(@PathVariable("id") long id) {
    return jdbc.sql("""
            SELECT o.id, p.name AS product, o.quantity, o.quantity * p.price AS total
            FROM shop_orders o JOIN shop_products p ON p.id = o.product_id
            WHERE o.id = ?""")
        .param(id).query(Order.class).optional()
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no order " + id));
  }
}
