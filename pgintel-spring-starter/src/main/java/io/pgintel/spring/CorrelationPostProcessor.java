package io.pgintel.spring;

import io.pgintel.trace.SessionRegistry;
import io.pgintel.trace.TracingDataSource;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import javax.sql.DataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Links the application's statements to its spans ({@code pgintel.correlation.enabled}, on by default): every
 * PostgreSQL DataSource bean is replaced by a Spring AOP proxy of its own class (so code that injects a
 * {@code HikariDataSource} still gets one) whose {@code getConnection()} hands out connections that record, per
 * statement, the current span and the backend they run on. SQL text is never changed; pgintel's own collections
 * borrow from the pool behind the proxy and are not recorded.
 */
final class CorrelationPostProcessor implements BeanPostProcessor, Ordered {

  private final SessionRegistries registries;

  CorrelationPostProcessor(SessionRegistries registries) {
    this.registries = registries;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!(bean instanceof DataSource ds) || Boolean.getBoolean(MonitorFactory.AGENT_ACTIVE)) {
      return bean;
    }
    DataSourceInspector.Inspected inspected = DataSourceInspector.inspect(beanName, ds);
    if (inspected.kind() != DataSourceInspector.Kind.POSTGRESQL) {
      return bean;
    }
    SessionRegistry registry = registries.forDatabase(inspected.databaseKey());
    ProxyFactory proxy = new ProxyFactory(bean);
    proxy.setProxyTargetClass(!Modifier.isFinal(bean.getClass().getModifiers()));
    proxy.addAdvice((MethodInterceptor) invocation -> {
      Object result = invocation.proceed();
      if (result instanceof Connection c && invocation.getMethod().getName().equals("getConnection")) {
        return TracingDataSource.wrapConnection(c, registry);
      }
      return result;
    });
    return proxy.getProxy(bean.getClass().getClassLoader());
  }

  @Override
  public int getOrder() {
    // after other post-processors, so that pgintel wraps what the application would otherwise get
    return Ordered.LOWEST_PRECEDENCE;
  }
}
