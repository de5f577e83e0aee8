package dev.powdb.bench.backup;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Records every collection the JVM reports while it is open: one listener for
 * {@link GarbageCollectionNotificationInfo#GARBAGE_COLLECTION_NOTIFICATION} on each {@link GarbageCollectorMXBean}
 * that is a {@link NotificationEmitter}; {@link #close()} removes them. Thread-safe: the JVM delivers notifications
 * on a thread of its own, after the collection ended.
 *
 * <p>Clock: {@code GcInfo.getStartTime()} is in milliseconds since the JVM finished initialising, and
 * {@code RuntimeMXBean.getStartTime()} is that same instant in wall-clock milliseconds, so a collection began at
 * wall-clock {@code getStartTime() + GcInfo.getStartTime()}; that is mapped onto {@link System#nanoTime()} by one
 * reading of both clocks when the recorder starts. Error: about 1 ms (both GcInfo values are whole milliseconds).
 * {@code RuntimeMXBean.getUptime()} is not used because it counts from earlier in the JVM's start (on JDK 17 it
 * differed from GcInfo's zero by 34 to 222 ms), and the time a notification arrives minus the duration is not used
 * because delivery waits for a JVM service thread, which busy writers can delay. Should the wall clock be stepped
 * forward, a collection would seem to end after its notification arrived; it is then moved back to end at the arrival.
 */
final class GcRecorder implements AutoCloseable {
    /** Longest wait in {@link #awaitDelivered} for notifications of collections that already ended. */
    static final long DELIVERY_TIMEOUT_MILLIS = 2_000;

    private final List<String> collectors = new ArrayList<>();
    private final List<Listening> listening = new ArrayList<>();
    private final Queue<GcEvent> events = new ConcurrentLinkedQueue<>();
    private final long originNanos;

    private GcRecorder() {
        originNanos = gcOriginNanos();
        try {
            for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                collectors.add(bean.getName());
                if (bean instanceof NotificationEmitter emitter) {
                    listening.add(new Listening(bean, emitter));
                }
            }
        } catch (RuntimeException e) {
            close(); // no listener may outlive a recorder that never started
            throw e;
        }
    }

    /** Starts recording; never fails for a JVM without notifications, see {@link #recording()}. */
    static GcRecorder start() {
        return new GcRecorder();
    }

    /** Names of all the JVM's GarbageCollectorMXBeans, in the JVM's order: its GC choice. */
    List<String> collectors() {
        return List.copyOf(collectors);
    }

    /** Whether at least one collector sends notifications (otherwise nothing is recorded). */
    boolean recording() {
        return !listening.isEmpty();
    }

    /** Every collection recorded so far, in the order the notifications arrived. */
    List<GcEvent> events() {
        return List.copyOf(events);
    }

    /**
     * Waits until every collection that ended by now has been delivered, comparing each bean's collection count with
     * the notifications it sent (a collection finishing while the listener was being added may be counted early, so
     * this is a best effort). Returns false if some were still missing after {@link #DELIVERY_TIMEOUT_MILLIS}.
     */
    boolean awaitDelivered() throws InterruptedException {
        long deadline = System.nanoTime() + DELIVERY_TIMEOUT_MILLIS * 1_000_000L;
        while (!listening.stream().allMatch(Listening::delivered)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Override
    public void close() {
        for (Listening l : listening) {
            l.remove();
        }
    }

    /**
     * A collection's start on the {@link System#nanoTime()} scale: {@code originNanos} (GcInfo's zero on that scale)
     * plus {@code gcStartMillis}, but no later than {@code arrivalNanos - durationMillis}, since a collection ends
     * before its notification is sent.
     */
    static long startNanos(long gcStartMillis, long durationMillis, long originNanos, long arrivalNanos) {
        long mapped = originNanos + gcStartMillis * 1_000_000L;
        return Math.min(mapped, arrivalNanos - durationMillis * 1_000_000L);
    }

    /** GcInfo's zero (the JVM's initialisation done) on the {@link System#nanoTime()} scale. */
    private static long gcOriginNanos() {
        long jvmStartWallMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        // Read the clocks right as the wall-clock millisecond turns, so the mapping has no truncation error of its
        // own; give up waiting after 50 ms (a coarse clock) and accept that error.
        long first = System.currentTimeMillis();
        long wall;
        long nanos;
        long giveUp = System.nanoTime() + 50_000_000L;
        do {
            wall = System.currentTimeMillis();
            nanos = System.nanoTime();
        } while (wall == first && nanos - giveUp < 0);
        return nanos - (wall - jvmStartWallMillis) * 1_000_000L;
    }

    /** The listener on one bean, and how many notifications it has had since it was added. */
    private final class Listening implements NotificationListener {
        private final GarbageCollectorMXBean bean;
        private final NotificationEmitter emitter;
        private final AtomicLong received = new AtomicLong();
        /** The bean's collection count when listening began, or -1 when it keeps none. */
        private final long countBefore;

        Listening(GarbageCollectorMXBean bean, NotificationEmitter emitter) {
            this.bean = bean;
            this.emitter = emitter;
            emitter.addNotificationListener(this,
                    n -> GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType()), null);
            // Read after adding: a collection in between is then both counted and delivered, never lost.
            countBefore = bean.getCollectionCount();
        }

        @Override
        public void handleNotification(Notification notification, Object handback) {
            long arrival = System.nanoTime();
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            GcInfo gc = info.getGcInfo();
            events.add(new GcEvent(info.getGcName(), info.getGcAction(), info.getGcCause(),
                    startNanos(gc.getStartTime(), gc.getDuration(), originNanos, arrival), gc.getDuration()));
            received.incrementAndGet();
        }

        boolean delivered() {
            long count = bean.getCollectionCount();
            return countBefore < 0 || count < 0 || received.get() >= count - countBefore;
        }

        void remove() {
            try {
                emitter.removeNotificationListener(this);
            } catch (ListenerNotFoundException e) {
                // Already gone: nothing left to remove.
            }
        }
    }
}
