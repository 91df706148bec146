using System.Text.Json.Nodes;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Checkpoints;

/// <summary>
/// AdamW state in a checkpoint: <c>optimizer.json</c> holds each group's hyperparameters and each
/// parameter's name, step count and whether it has moments; <c>optimizer.safetensors</c> holds the
/// moments as <c>{name}.exp_avg</c> and <c>{name}.exp_avg_sq</c>. Parameters are matched by name on
/// restore, so a rebuilt optimizer may list a group's parameters in another order.
/// </summary>
internal static class AdamWCheckpoint
{
    private const string ExpAvg = ".exp_avg";
    private const string ExpAvgSq = ".exp_avg_sq";

    public static CheckpointFile[] Write(string directory, AdamW optimizer, IReadOnlyList<IReadOnlyList<string>> names)
    {
        var moments = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var groups = new JsonArray();
            for (int g = 0; g < optimizer.Groups.Count; g++)
            {
                ParamGroup group = optimizer.Groups[g];
                var parameters = new JsonArray();
                for (int i = 0; i < group.Parameters.Count; i++)
                {
                    AdamWParamState state = optimizer.GetState(g, i);
                    bool hasMoments = state.ExpAvg is not null && state.ExpAvgSq is not null;
                    if (hasMoments)
                    {
                        moments.Add(names[g][i] + ExpAvg, state.ExpAvg!);
                        moments.Add(names[g][i] + ExpAvgSq, state.ExpAvgSq!);
                    }
                    else
                    {
                        state.ExpAvg?.Dispose();
                        state.ExpAvgSq?.Dispose();
                    }
                    parameters.Add(new JsonObject { ["name"] = names[g][i], ["step"] = state.Step, ["moments"] = hasMoments });
                }
                groups.Add(new JsonObject
                {
                    ["lr"] = group.LearningRate,
                    ["betas"] = new JsonArray(group.Beta1, group.Beta2),
                    ["eps"] = group.Eps,
                    ["weight_decay"] = group.WeightDecay,
                    ["params"] = parameters,
                });
            }
            return
            [
                DurableFiles.Write(directory, Checkpoint.OptimizerTensorsFileName, s => Safetensors.Write(s, moments)),
                CheckpointJson.Write(directory, Checkpoint.OptimizerFileName, new JsonObject { ["optimizer"] = "AdamW", ["groups"] = groups }),
            ];
        }
        finally
        {
            foreach (Tensor t in moments.Values) t.Dispose();
        }
    }

    /// <summary>Names each optimizer parameter by finding the same tensor object among <paramref name="named"/>.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> NamesByIdentity(AdamW optimizer, IEnumerable<KeyValuePair<string, Tensor>> named)
    {
        var byTensor = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, tensor) in named) byTensor.TryAdd(tensor, name);
        var names = new List<IReadOnlyList<string>>();
        for (int g = 0; g < optimizer.Groups.Count; g++)
        {
            var group = new List<string>();
            for (int i = 0; i < optimizer.Groups[g].Parameters.Count; i++)
            {
                if (!byTensor.TryGetValue(optimizer.Groups[g].Parameters[i], out string? name))
                {
                    throw new ArgumentException($"optimizer group {g} parameter {i} is none of the model's parameters; name the optimizer's parameters explicitly");
                }
                group.Add(name);
            }
            names.Add(group);
        }
        return names;
    }

    /// <summary>Checks that <paramref name="names"/> fits the optimizer's groups and names no parameter twice.</summary>
    public static void CheckNames(AdamW optimizer, IReadOnlyList<IReadOnlyList<string>> names)
    {
        if (names.Count != optimizer.Groups.Count)
        {
            throw new ArgumentException($"{names.Count} groups of parameter names for an optimizer with {optimizer.Groups.Count} groups");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int g = 0; g < names.Count; g++)
        {
            if (names[g].Count != optimizer.Groups[g].Parameters.Count)
            {
                throw new ArgumentException($"group {g} has {optimizer.Groups[g].Parameters.Count} parameters but {names[g].Count} names");
            }
            foreach (string name in names[g])
            {
                if (string.IsNullOrEmpty(name)) throw new ArgumentException($"group {g} has an empty parameter name");
                if (!seen.Add(name)) throw new ArgumentException($"parameter name '{name}' is given twice");
            }
        }
    }

    public static List<SavedAdamWGroup> Parse(string directory, SafetensorsFile tensors)
    {
        var json = new CheckpointJson(directory, Checkpoint.OptimizerFileName);
        JsonObject root = json.Object(json.Parse(), "the root");
        string kind = json.String(root, "optimizer", "");
        if (kind != "AdamW") throw json.Corrupt($"optimizer is '{kind}', not AdamW");
        var used = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<SavedAdamWGroup>();
        JsonArray groupArray = json.Array(root, "groups", "");
        for (int g = 0; g < groupArray.Count; g++)
        {
            string path = $"groups[{g}]";
            JsonObject group = json.Object(groupArray[g], path);
            JsonArray betas = json.Array(group, "betas", path);
            if (betas.Count != 2) throw json.Corrupt($"{path}.betas holds {betas.Count} numbers, not 2");
            var names = new List<string>();
            var states = new List<AdamWParamState>();
            JsonArray parameters = json.Array(group, "params", path);
            for (int i = 0; i < parameters.Count; i++)
            {
                string p = $"{path}.params[{i}]";
                JsonObject parameter = json.Object(parameters[i], p);
                string name = json.String(parameter, "name", p);
                if (!seen.Add(name)) throw json.Corrupt($"{p}.name '{name}' names a parameter already listed");
                long step = json.Int64(parameter, "step", p);
                Tensor? expAvg = null, expAvgSq = null;
                if (json.Boolean(parameter, "moments", p))
                {
                    expAvg = Moment(tensors, name + ExpAvg, json, used);
                    expAvgSq = Moment(tensors, name + ExpAvgSq, json, used);
                    if (!expAvg.Shape.AsSpan().SequenceEqual(expAvgSq.Shape))
                    {
                        throw new CheckpointCorruptException(directory, Checkpoint.OptimizerTensorsFileName,
                            $"the moments of '{name}' have different shapes [{string.Join(", ", expAvg.Shape)}] and [{string.Join(", ", expAvgSq.Shape)}]");
                    }
                }
                names.Add(name);
                states.Add(new AdamWParamState(step, expAvg, expAvgSq));
            }
            groups.Add(new SavedAdamWGroup(json.Double(group["lr"], $"{path}.lr"), json.Double(betas[0], $"{path}.betas[0]"),
                json.Double(betas[1], $"{path}.betas[1]"), json.Double(group["eps"], $"{path}.eps"),
                json.Double(group["weight_decay"], $"{path}.weight_decay"), names, states));
        }
        var unused = tensors.Tensors.Keys.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0)
        {
            throw new CheckpointCorruptException(directory, Checkpoint.OptimizerTensorsFileName,
                $"holds tensors that {Checkpoint.OptimizerFileName} does not mention: {string.Join(", ", unused)}");
        }
        return groups;
    }

    private static Tensor Moment(SafetensorsFile tensors, string key, CheckpointJson json, HashSet<string> used)
    {
        if (!tensors.Tensors.TryGetValue(key, out Tensor? t))
        {
            throw json.Corrupt($"promises moments, but {Checkpoint.OptimizerTensorsFileName} has no tensor '{key}'");
        }
        if (!used.Add(key)) throw json.Corrupt($"names the moment '{key}' twice");
        return t;
    }

    /// <summary>Restores every group's learning rate and every parameter's moments and step; checks everything
    /// first, so that a mismatch leaves the optimizer untouched.</summary>
    public static void Restore(AdamW optimizer, IReadOnlyList<IReadOnlyList<string>> names, IReadOnlyList<SavedAdamWGroup> saved, string directory)
    {
        CheckNames(optimizer, names);
        if (saved.Count != optimizer.Groups.Count)
        {
            throw new ArgumentException($"checkpoint {directory} saved {saved.Count} optimizer groups, but the optimizer has {optimizer.Groups.Count}");
        }
        var plan = new List<(int Group, int Index, AdamWParamState State)>();
        for (int g = 0; g < saved.Count; g++)
        {
            SavedAdamWGroup s = saved[g];
            ParamGroup current = optimizer.Groups[g];
            CheckSame(g, "beta1", current.Beta1, s.Beta1, directory);
            CheckSame(g, "beta2", current.Beta2, s.Beta2, directory);
            CheckSame(g, "eps", current.Eps, s.Eps, directory);
            CheckSame(g, "weight_decay", current.WeightDecay, s.WeightDecay, directory);
            var missing = names[g].Except(s.ParameterNames, StringComparer.Ordinal).ToList();
            var extra = s.ParameterNames.Except(names[g], StringComparer.Ordinal).ToList();
            if (missing.Count > 0 || extra.Count > 0)
            {
                throw new ArgumentException($"optimizer group {g} does not hold the parameters checkpoint {directory} saved: " +
                    $"not in the checkpoint: [{string.Join(", ", missing)}]; only in the checkpoint: [{string.Join(", ", extra)}]");
            }
            for (int i = 0; i < names[g].Count; i++)
            {
                AdamWParamState state = s.States[IndexOf(s.ParameterNames, names[g][i])];
                if (state.ExpAvg is null) continue;
                long[] expected = current.Parameters[i].Shape;
                if (!state.ExpAvg.Shape.AsSpan().SequenceEqual(expected))
                {
                    throw new ArgumentException($"parameter {names[g][i]} has shape [{string.Join(", ", expected)}] but its moments in checkpoint " +
                        $"{directory} have [{string.Join(", ", state.ExpAvg.Shape)}]");
                }
                plan.Add((g, i, state));
            }
        }
        foreach (var (g, i, state) in plan) optimizer.SetState(g, i, state);
        for (int g = 0; g < saved.Count; g++) optimizer.SetLearningRate(g, saved[g].LearningRate);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name) return i;
        }
        return -1;
    }

    private static void CheckSame(int group, string field, double current, double saved, string directory)
    {
        if (current.Equals(saved)) return;
        throw new ArgumentException($"optimizer group {group} has {field} {current} but checkpoint {directory} saved {saved}; " +
            "AdamW cannot change it after construction, so build the optimizer with the saved value");
    }
}
