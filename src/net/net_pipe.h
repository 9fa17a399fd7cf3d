/* A pipe from the detectors' thread to a stage on a thread of its own (the inspection of
 * contents), so reading a capture uses two cores: one decodes and counts, the other reads
 * what the packets carry.
 *
 * Packets cross a bounded single-producer ring by value; their payload pointers still point
 * into the capture's buffer, so the producer calls net_pipe_sync before it lets a buffer go
 * (a window of a mapped file moving on, libpcap's next read): the consumer has then read
 * everything pushed. Order is kept, and ticks and the finish travel in it. */
#ifndef NET_PIPE_H
#define NET_PIPE_H

#include "net/net.h"
#include "net/net_capture.h"

typedef struct net_pipe net_pipe;

/* Starts the consumer thread running `next` (copied; its argument must outlive the pipe).
 * With two or more CPUs allowed, the consumer and the calling thread are each pinned to
 * one of them. Returns a pipe the caller frees with net_pipe_free, or NULL when no thread
 * can start (the caller then runs the stage itself). */
net_pipe *net_pipe_new(const net_stage *next);
/* Waits until the consumer has taken every packet pushed so far. */
void net_pipe_sync(net_pipe *pp);
/* What a capture reader tells before letting a buffer go, for this pipe: it waits, or marks
 * what was pushed and asks later, without waiting, whether the consumer has taken it. */
net_capture_sync net_pipe_capture_sync(net_pipe *pp);
/* Finishes the stage (if the detectors have not) and joins its thread. */
void net_pipe_free(net_pipe *pp);

/* The pipe as the detectors' next stage. */
void net_pipe_stage(net_pipe *pp, net_stage *out);

#endif
