package io.tandem.it.fault;

/** Applies faults to a running cluster; implemented over the end-to-end harness. */
public interface FaultInjector {
  /**
   * Injects {@code fault} now and returns its heal, which the runner calls after the fault's
   * duration (also when the run is interrupted). Throws if the fault cannot be injected (for
   * example no leader is known); the runner logs it and goes on.
   */
  Heal inject(Fault fault) throws Exception;

  /** Undoes a fault; says whom the fault actually hit (e.g. "leader c2"). */
  interface Heal {
    String target();

    void heal() throws Exception;
  }
}
