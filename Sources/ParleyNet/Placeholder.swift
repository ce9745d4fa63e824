// ParleyNet
