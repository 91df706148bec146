using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests;

/// <summary>The devices op tests run on: the CPU always, and CUDA where a GPU is visible.</summary>
public static class Devices
{
    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string> { "cpu" };
            if (Torch.CudaIsAvailable) data.Add("cuda");
            return data;
        }
    }
}
