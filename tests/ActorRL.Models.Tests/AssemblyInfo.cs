// libtorch's random generators and thread pool are process-wide, and the leak test reads the
// process's resident memory: tests run one at a time so that none disturbs another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
