package io.pgintel.agent;

import com.mchange.v2.c3p0.ComboPooledDataSource;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.example.shop.ShopDataSource;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

/**
 * The pools and wrappers {@link QueryingApp} can use besides the driver's DataSource and HikariCP; a class of its
 * own so that the application loads their libraries only when it uses one.
 */
final class Pools {

  private Pools() {}

  /** {@code url} is of database a; {@code routing} also reaches database b, named {@code url} + {@code _b}. */
  static DataSource create(String kind, String url, String user) {
    return switch (kind) {
      case "dbcp2" -> {
        BasicDataSource ds = new BasicDataSource();
        ds.setUrl(url);
        ds.setUsername(user);
        ds.setMaxTotal(3);
        yield ds;
      }
      case "tomcat" -> {
        org.apache.tomcat.jdbc.pool.DataSource ds = new org.apache.tomcat.jdbc.pool.DataSource();
        ds.setUrl(url);
        ds.setUsername(user);
        ds.setDriverClassName("org.postgresql.Driver");
        ds.setMaxActive(3);
        yield ds;
      }
      case "c3p0" -> {
        ComboPooledDataSource ds = new ComboPooledDataSource();
        ds.setJdbcUrl(url);
        ds.setUser(user);
        ds.setMaxPoolSize(3);
        yield ds;
      }
      case "delegating" -> new ShopDataSource(QueryingApp.hikari(url, user));
      case "routing" -> {
        AbstractRoutingDataSource router = new AbstractRoutingDataSource() {
          @Override
          protected Object determineCurrentLookupKey() {
            return QueryingApp.ROUTE.get();
          }
        };
        router.setTargetDataSources(Map.of("a", QueryingApp.hikari(url, user), "b", QueryingApp.hikari(url + "_b", user)));
        router.afterPropertiesSet();
        yield router;
      }
      default -> throw new IllegalArgumentException(kind);
    };
  }
}
