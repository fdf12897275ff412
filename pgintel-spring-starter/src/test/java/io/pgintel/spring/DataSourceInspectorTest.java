package io.pgintel.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.pgintel.spring.DataSourceInspector.Kind;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

/** Telling DataSources apart without a connection: nothing here connects to anything. */
class DataSourceInspectorTest {

  @ParameterizedTest
  @CsvSource({
      "jdbc:postgresql://db.example.com/shop,                    db.example.com:5432/shop",
      "jdbc:postgresql://DB.example.com:6432/shop?ssl=true,      db.example.com:6432/shop",
      "'jdbc:postgresql://a:5433,b/shop?targetServerType=primary', 'a:5433,b:5432/shop'",
      "jdbc:postgresql:shop,                                     localhost:5432/shop",
      "jdbc:p6spy:postgresql://db:5432/shop,                     db:5432/shop",
      "jdbc:postgresql://[::1]:5433/shop,                        [::1]:5433/shop",
      "jdbc:postgresql://[::1]/shop,                             [::1]:5432/shop"})
  void databaseKeyIgnoresSpellingAndParameters(String url, String key) {
    assertThat(DataSourceInspector.PostgresUrl.databaseKey(url)).isEqualTo(key);
  }

  @ParameterizedTest
  @CsvSource({
      "jdbc:postgresql://db/shop, , POSTGRESQL",
      "jdbc:otel:postgresql://db/shop, , POSTGRESQL",
      "jdbc:h2:mem:x, , OTHER_DATABASE",
      "jdbc:mysql://db/shop, , OTHER_DATABASE",
      ", org.postgresql.Driver, POSTGRESQL",
      ", com.mysql.cj.jdbc.Driver, OTHER_DATABASE",
      ", , UNKNOWN"})
  void kindByUrlThenDriver(String url, String driver, Kind kind) {
    assertThat(DataSourceInspector.kind(url, driver)).isEqualTo(kind);
  }

  @Test
  void hikariPoolIsReadWithoutStartingIt() {
    HikariDataSource hikari = new HikariDataSource();
    hikari.setJdbcUrl("jdbc:postgresql://db:5432/shop");
    DataSourceInspector.Inspected i = DataSourceInspector.inspect("ds", hikari);
    assertThat(i.kind()).isEqualTo(Kind.POSTGRESQL);
    assertThat(i.databaseKey()).isEqualTo("db:5432/shop");
    assertThat(hikari.isRunning()).isFalse();
  }

  @Test
  void unwrapsDelegatingDataSourcesAndAopProxies() {
    HikariDataSource hikari = new HikariDataSource();
    hikari.setJdbcUrl("jdbc:postgresql://db/shop");
    DataSource wrapped = new TransactionAwareDataSourceProxy(new DelegatingDataSource(hikari));
    DataSource proxied = (DataSource) new ProxyFactory(wrapped).getProxy();
    DataSourceInspector.Inspected i = DataSourceInspector.inspect("ds", proxied);
    assertThat(i.target()).isSameAs(hikari);
    assertThat(i.kind()).isEqualTo(Kind.POSTGRESQL);
  }

  @Test
  void postgresDriverDataSourceIsPostgres() {
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setServerNames(new String[] {"db"});
    pg.setDatabaseName("shop");
    DataSourceInspector.Inspected i = DataSourceInspector.inspect("ds", pg);
    assertThat(i.kind()).isEqualTo(Kind.POSTGRESQL);
    assertThat(i.databaseKey()).isEqualTo("db:5432/shop");
  }

  @Test
  void routingAndOtherDatabasesAreToldApart() {
    AbstractRoutingDataSource routing = new AbstractRoutingDataSource() {
      @Override
      protected Object determineCurrentLookupKey() {
        return "a";
      }
    };
    routing.setTargetDataSources(Map.of("a", new DriverManagerDataSource("jdbc:postgresql://db/a")));
    routing.afterPropertiesSet();
    assertThat(DataSourceInspector.inspect("r", routing).kind()).isEqualTo(Kind.ROUTING);
    assertThat(DataSourceInspector.inspect("h2", new DriverManagerDataSource("jdbc:h2:mem:x")).kind())
        .isEqualTo(Kind.OTHER_DATABASE);
  }

  @Test
  void dbcp2TomcatAndC3p0PoolsAreReadWithoutStartingThem() throws Exception {
    try (org.apache.commons.dbcp2.BasicDataSource dbcp = new org.apache.commons.dbcp2.BasicDataSource()) {
      dbcp.setUrl("jdbc:postgresql://db:5432/shop");
      DataSourceInspector.Inspected i = DataSourceInspector.inspect("dbcp", dbcp);
      assertThat(i.kind()).isEqualTo(Kind.POSTGRESQL);
      assertThat(i.databaseKey()).isEqualTo("db:5432/shop");
      assertThat(dbcp.getNumIdle() + dbcp.getNumActive()).as("no connection opened").isZero();
      dbcp.setUrl("jdbc:mysql://db/shop");
      assertThat(DataSourceInspector.inspect("dbcp", dbcp).kind()).isEqualTo(Kind.OTHER_DATABASE);
    }
    org.apache.tomcat.jdbc.pool.DataSource tomcat = new org.apache.tomcat.jdbc.pool.DataSource();
    tomcat.setUrl("jdbc:postgresql://db/shop");
    assertThat(DataSourceInspector.inspect("tomcat", tomcat).databaseKey()).isEqualTo("db:5432/shop");
    assertThat(tomcat.getPool()).as("not started").isNull();
    com.mchange.v2.c3p0.ComboPooledDataSource c3p0 = new com.mchange.v2.c3p0.ComboPooledDataSource();
    try {
      c3p0.setJdbcUrl("jdbc:postgresql://db/shop");
      assertThat(DataSourceInspector.inspect("c3p0", c3p0).kind()).isEqualTo(Kind.POSTGRESQL);
    } finally {
      c3p0.close();
    }
  }

  @Test
  void unknownTypeIsItsOwnDatabase() {
    DataSource unknown = new DelegatingDataSource() {};
    DataSourceInspector.Inspected i = DataSourceInspector.inspect("mine", unknown);
    assertThat(i.kind()).isEqualTo(Kind.UNKNOWN);
    assertThat(i.databaseKey()).isEqualTo("bean:mine");
  }
}
