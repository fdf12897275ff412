package io.pgintel.samples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small shop on PostgreSQL. The only pgintel-specific thing about it is the starter on the class path: every
 * PostgreSQL DataSource is monitored, and {@code /actuator/pgintel} shows what the database is doing.
 */
@SpringBootApplication
public class ShopApplication {

  public static void main(String[] args) {
    SpringApplication.run(ShopApplication.class, args);
  }
}
