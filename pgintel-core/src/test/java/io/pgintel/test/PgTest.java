package io.pgintel.test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that runs once per selected PostgreSQL server ({@code -Dpgintel.test.pg=13,18} by default) and takes
 * a {@link PgServer} parameter. Use it for everything whose SQL depends on the server version.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(PostgresExtension.class)
public @interface PgTest {}
