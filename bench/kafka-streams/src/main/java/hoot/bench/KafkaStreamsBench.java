package hoot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Kafka Streams on the workload and topology of the engine benchmark (bench/engine-throughput.ts,
 * bench/engine-topology.ts): distinct ids per group, hourly counts and totals. One phase per
 * process, so that its CPU time and peak RSS are its own; prints one JSON line on stdout.
 *
 * <p>Usage: java -jar kafka-streams-bench.jar &lt;catch-up|restore&gt; &lt;bootstrap servers&gt;
 * &lt;application id&gt; &lt;input topic&gt; &lt;output topic&gt; &lt;records&gt; &lt;stream threads&gt;
 * &lt;state directory&gt;
 *
 * <p>catch-up: from an empty state directory until the application's committed offsets reach the
 * input topic's end offsets. restore: the same application into a new empty state directory,
 * until every changelog partition is restored and the instance is RUNNING.
 */
public final class KafkaStreamsBench {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long HOUR_MS = 3_600_000L;
  static final long DAY_MS = 24 * HOUR_MS;
  /** How long an id stays seen for its group, in ms of event time. */
  static final long DISTINCT_HORIZON_MS = 30 * DAY_MS;
  static final String SEEN_STORE = "seen";

  /** An input value: {"id","group","ts"}, ts in epoch ms (the event time). */
  public record Event(String id, String group, long ts) {}

  /** An output value of the hourly counts; window is the window's start in epoch ms. */
  public record WindowCount(String key, long window, long count) {}

  /** An output value of the totals. */
  public record Total(String key, long count) {}

  /** A JSON serde for one record class, with Jackson. */
  static <T> Serde<T> json(Class<T> type) {
    return Serdes.serdeFrom(
        (topic, value) -> {
          try {
            return value == null ? null : JSON.writeValueAsBytes(value);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        (topic, bytes) -> {
          try {
            return bytes == null ? null : JSON.readValue(bytes, type);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * Lets through the first record per (group, id) and drops the ones whose id the group has seen
   * within DISTINCT_HORIZON_MS of event time before. The store maps "group\u001fid" to the event
   * time (ms) it was first seen; RocksDB, changelogged (the store builder's defaults). A
   * wall-clock punctuation removes entries older than the horizon of stream time, so the store
   * stays bounded (once every 10 minutes: it never fires in a benchmark run).
   */
  static final class Distinct implements FixedKeyProcessor<String, Event, Event> {
    private FixedKeyProcessorContext<String, Event> context;
    private KeyValueStore<String, Long> seen;

    @Override
    public void init(FixedKeyProcessorContext<String, Event> context) {
      this.context = context;
      this.seen = context.getStateStore(SEEN_STORE);
      context.schedule(Duration.ofMinutes(10), PunctuationType.WALL_CLOCK_TIME, now -> expire());
    }

    @Override
    public void process(FixedKeyRecord<String, Event> record) {
      String id = record.key() + '\u001f' + record.value().id();
      Long firstSeen = seen.get(id);
      if (firstSeen != null && record.timestamp() - firstSeen < DISTINCT_HORIZON_MS) return;
      seen.put(id, record.timestamp());
      context.forward(record);
    }

    private void expire() {
      long oldest = context.currentStreamTimeMs() - DISTINCT_HORIZON_MS;
      try (KeyValueIterator<String, Long> all = seen.all()) {
        while (all.hasNext()) {
          KeyValue<String, Long> entry = all.next();
          if (entry.value < oldest) seen.delete(entry.key);
        }
      }
    }
  }

  /** countingAggregatorTopology of bench/engine-topology.ts, in the Kafka Streams DSL. */
  static Topology topology(String input, String output) {
    Serde<Event> events = json(Event.class);
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(SEEN_STORE), Serdes.String(), Serdes.Long()));
    KGroupedStream<String, Event> grouped =
        builder.stream(
                input,
                Consumed.with(Serdes.String(), events)
                    // Event time is the value's ts (the extractor gets the deserialized value).
                    .withTimestampExtractor((record, partitionTime) -> ((Event) record.value()).ts()))
            // Re-key by group through a repartition topic (<application id>-by-group-repartition).
            .selectKey((key, event) -> event.group())
            .repartition(Repartitioned.with(Serdes.String(), events).withName("by-group"))
            // processValues keeps the key, so no second repartition before the counts.
            .processValues(Distinct::new, SEEN_STORE)
            .groupByKey(Grouped.with(Serdes.String(), events));
    grouped
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(HOUR_MS), Duration.ofMillis(28 * DAY_MS)))
        .count(Materialized.as("counts"))
        .toStream()
        .map((window, count) ->
            KeyValue.pair(window.key(), new WindowCount(window.key(), window.window().start(), count)))
        .to(output, Produced.with(Serdes.String(), json(WindowCount.class)));
    grouped
        .count(Materialized.as("totals"))
        .toStream()
        .mapValues((key, count) -> new Total(key, count))
        .to(output, Produced.with(Serdes.String(), json(Total.class)));
    return builder.build();
  }

  /**
   * Records not yet committed by the application's group: of the input topic and of the
   * repartition topic, whose records the re-keyed sub-topology still has to process once the
   * input's offsets are committed.
   */
  static long lag(Admin admin, String applicationId, String input) throws Exception {
    List<String> topics = List.of(input, applicationId + "-by-group-repartition");
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    try {
      for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
        d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
      }
    } catch (ExecutionException e) {
      // The repartition topic is created when the application starts: until then, all is to do.
      if (e.getCause() instanceof UnknownTopicOrPartitionException) return Long.MAX_VALUE;
      throw e;
    }
    Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
    long total = 0;
    for (var end : ends.entrySet()) {
      OffsetAndMetadata c = committed.get(end.getKey());
      total += end.getValue().offset() - (c == null ? 0 : c.offset());
    }
    return total;
  }

  /** Changelog partitions of the application that hold records: each one a restore. */
  static int changelogPartitions(Admin admin, String applicationId) throws Exception {
    List<String> changelogs =
        admin.listTopics().names().get().stream()
            .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-changelog"))
            .toList();
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    for (TopicDescription d : admin.describeTopics(changelogs).allTopicNames().get().values()) {
      d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
    }
    return (int) admin.listOffsets(latest).all().get().values().stream().filter(i -> i.offset() > 0).count();
  }

  /** CPU time of this JVM process (user + system), in seconds. */
  static double cpuSeconds() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e9;
  }

  /** Peak resident set size of this process (VmHWM), in MiB. */
  static double peakRssMiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
    }
    return Double.NaN;
  }

  static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 8 || !Set.of("catch-up", "restore").contains(args[0])) {
      System.err.println(
          "usage: java -jar kafka-streams-bench.jar <catch-up|restore> <bootstrap servers> <application id>"
              + " <input topic> <output topic> <records> <stream threads> <state directory>");
      System.exit(2);
    }
    String phase = args[0];
    String bootstrap = args[1];
    String applicationId = args[2];
    String input = args[3];
    String output = args[4];
    long records = Long.parseLong(args[5]);
    int threads = Integer.parseInt(args[6]);
    String stateDir = args[7];

    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100); // ms
    config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    // Leave the group on close (Kafka Streams does not by default), so that the restore phase
    // that follows with the same application id need not wait out the session timeout.
    config.put(StreamsConfig.consumerPrefix("internal.leave.group.on.close"), true);

    Topology topology = topology(input, output);
    if (System.getenv("DESCRIBE") != null) System.err.println(topology.describe());
    KafkaStreams streams = new KafkaStreams(topology, config);

    // Restore bookkeeping: store partitions restoring now and restored, records restored, and
    // the times (System.nanoTime) of the first start and the last end.
    Set<String> restoring = new HashSet<>();
    Set<String> restored = new HashSet<>();
    AtomicLong restoredRecords = new AtomicLong();
    AtomicLong suspended = new AtomicLong();
    long[] restoreSpan = {0, 0};
    CountDownLatch restoreDone = new CountDownLatch(1);
    int expectedRestores;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      expectedRestores = phase.equals("restore") ? changelogPartitions(admin, applicationId) : 0;
    }
    Runnable checkRestoreDone = () -> {
      synchronized (restoring) {
        if (streams.state() == KafkaStreams.State.RUNNING
            && restoring.isEmpty()
            && restored.size() >= expectedRestores) {
          restoreDone.countDown();
        }
      }
    };
    streams.setGlobalStateRestoreListener(new StateRestoreListener() {
      @Override
      public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
        synchronized (restoring) {
          if (restoreSpan[0] == 0) restoreSpan[0] = System.nanoTime();
          restoring.add(partition + "/" + store);
        }
      }

      @Override
      public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long count) {
        restoredRecords.addAndGet(count);
      }

      @Override
      public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        synchronized (restoring) {
          restoreSpan[1] = System.nanoTime();
          restoring.remove(partition + "/" + store);
          restored.add(partition + "/" + store);
        }
        checkRestoreDone.run();
      }

      @Override
      public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        suspended.incrementAndGet();
        synchronized (restoring) {
          restoring.remove(partition + "/" + store);
        }
      }
    });
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) checkRestoreDone.run();
    });
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });

    Map<String, Object> result = new LinkedHashMap<>();
    double cpuBefore = cpuSeconds();
    long start = System.nanoTime();
    streams.start();
    if (phase.equals("catch-up")) {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        while (lag(admin, applicationId, input) > 0) {
          failIfStopped(streams);
          Thread.sleep(200);
        }
      }
      double seconds = secondsSince(start);
      result.put("recordsPerSecond", records / seconds);
      result.put("seconds", seconds);
    } else {
      while (!restoreDone.await(100, TimeUnit.MILLISECONDS)) failIfStopped(streams);
      double seconds = secondsSince(start);
      double restoreSeconds = (restoreSpan[1] - restoreSpan[0]) / 1e9;
      result.put("recordsPerSecond", restoredRecords.get() / restoreSeconds);
      result.put("restored", restoredRecords.get());
      result.put("seconds", seconds);
      result.put("restoreSeconds", restoreSeconds);
      // A restore suspended by a rebalance starts again elsewhere: its records count again.
      if (suspended.get() > 0) System.err.println(suspended.get() + " restores suspended by a rebalance");
    }
    // From just before start() (as bench/engine-run.ts), and of the whole JVM including its start.
    result.put("cpuSeconds", cpuSeconds() - cpuBefore);
    result.put("processCpuSeconds", cpuSeconds());
    streams.close(Duration.ofMinutes(1));
    result.put("peakRssMiB", peakRssMiB());
    result.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / 1024.0 / 1024.0);
    System.out.println(JSON.writeValueAsString(result));
    System.exit(0);
  }

  static void failIfStopped(KafkaStreams streams) {
    KafkaStreams.State state = streams.state();
    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
        || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN) {
      System.err.println("Kafka Streams stopped: " + state);
      System.exit(1);
    }
  }
}
