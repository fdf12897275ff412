package io.pgintel.agent;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class WeakDataSourceTest {

  @Test
  void unwrapsToTheApplicationsDataSourceForThePoolGaugeAndToItselfAsWhatItIs() throws SQLException {
    PGSimpleDataSource app = new PGSimpleDataSource();
    WeakDataSource weak = new WeakDataSource(new WeakReference<>(app));
    assertSame(app, weak.unwrap(DataSource.class), "the pool gauge reads the application's pool through it");
    assertSame(weak, weak.unwrap(WeakDataSource.class));
    assertTrue(weak.isWrapperFor(PGSimpleDataSource.class));
    assertSame(app, weak.unwrap(PGSimpleDataSource.class));
  }

  @Test
  void aDataSourceThatIsGoneIsAnSqlException() {
    WeakDataSource weak = new WeakDataSource(new WeakReference<>(null));
    assertThrows(SQLException.class, () -> weak.unwrap(DataSource.class));
  }
}
