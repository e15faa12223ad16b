package dev.threadbare.deploy.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * A JDK Flight Recorder event per deployment start, with where its time went (the cold start's
 * phases, in nanoseconds). Free when no recording asks for it; the deploy benchmark records it.
 * Each instance is used by one thread.
 */
@Name("threadbare.DeployStart")
@Label("Deployment start")
@Category({"threadbare", "deploy"})
@Description("A deployment's start, from the request that caused it until the app listened")
final class StartPhasesEvent extends Event {

  @Label("Deployment")
  String deployment;

  @Label("Prepare")
  @Description("Room (stopping the least recently used), state, directories, database login")
  @Timespan(Timespan.NANOSECONDS)
  long prepare;

  @Label("Build")
  @Description("Checkout and build (first start of a version only)")
  @Timespan(Timespan.NANOSECONDS)
  long build;

  @Label("Spawn")
  @Description("The launcher's start: bridges, sandbox set-up, process spawn")
  @Timespan(Timespan.NANOSECONDS)
  long spawn;

  @Label("Listening")
  @Description("From the spawn until the app accepts on its port and the host knows it")
  @Timespan(Timespan.NANOSECONDS)
  long listening;

  @Label("Record")
  @Description("Notes and the state change to running, before the request is forwarded")
  @Timespan(Timespan.NANOSECONDS)
  long record;

  @Label("Signalled")
  @Description("Whether the launcher signalled readiness (else: connect polls)")
  boolean signalled;
}
